/** nginx routes: rendering (pure) and the driver that writes, checks and reloads. */
export { renderServerBlock, routeFileName, parseRouteHeader, probeAddress, type RouteSpec, type RouteHeader } from './render.ts';
export { createNginxDriver, NginxRejectedError, NginxUnavailableError, type ProxyDriver, type ObservedRoute, type NginxOptions } from './nginx-driver.ts';
