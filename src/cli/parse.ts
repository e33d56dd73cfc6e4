import { InvalidArgumentError } from 'commander';

/** A commander argument parser for a positive integer, with a message naming the option. */
export const positiveInt = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive whole number, not "${value}".`);
  return n;
};

/** A comma-separated list, without blanks. */
export const commaList = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);
