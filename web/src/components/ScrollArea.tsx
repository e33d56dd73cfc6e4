import type { ReactNode } from 'react';

/**
 * A horizontally scrollable box for wide tables on narrow screens. It is focusable and named so keyboard users
 * can scroll it too (WCAG 2.1.1; axe rule scrollable-region-focusable).
 */
export function ScrollArea({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={`table-scroll${className ? ` ${className}` : ''}`} role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
