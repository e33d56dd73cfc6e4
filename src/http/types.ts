import type { Access, Principal } from '../domain/roles.js';
import type { RequestContext } from '../services/context.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route; every /api, /oauth and /auth route must declare it (checked at start). */
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal;
    ctx: RequestContext;
  }
  interface FastifyInstance {
    /** Read the data versions behind the cached public answers now (they are read every second anyway). */
    pollCaches(): Promise<void>;
  }
}

export {};
