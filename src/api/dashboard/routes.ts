// GET /dashboard (the page) and GET /dashboard/state (what it polls). Both public and read-only like
// GET /cluster: the page's actions call the ordinary write endpoints, which check authentication.
// The page and its state builder are imported on the first request, not at start (idle RSS).
import type { Route, RouteList } from '../routes/types.js';

const NO_STORE = { 'Cache-Control': 'no-store' };

const dashboard: Route = {
  access: 'public',
  async handle(req, ctx) {
    if (req.path === '/dashboard' || req.path === '/dashboard/') {
      const { DASHBOARD_HTML } = await import('./page.js');
      return {
        kind: 'text',
        code: 200,
        text: DASHBOARD_HTML,
        headers: { ...NO_STORE, 'Content-Security-Policy': "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'" },
      };
    }
    if (req.path === '/dashboard/state') {
      const { dashboardState } = await import('./state.js');
      const state = await dashboardState(ctx);
      return { kind: 'json', code: state.ok ? 200 : 503, body: state, headers: NO_STORE };
    }
    return { kind: 'error', code: 404 };
  },
};

export function dashboardRoutes(): RouteList {
  return [['GET', 'dashboard', dashboard]];
}
