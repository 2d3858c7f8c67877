/**
 * The gateway area's published surface: the operator's own API behind Signet (docs/GATEWAY.md). Routes from a
 * file, verified exactly as the Backpack routes are, then forwarded to an upstream with identity headers; the
 * HMAC an upstream checks; the embedded verifier (`signet/verify`) and the key endpoint it may read keys from.
 * Anything not exported here is the area's own (lint refuses a deep import from outside src/gateway/).
 */
export {
  BUILT_IN_RATE_LIMITS,
  EXCHANGE_PATH_SEGMENTS,
  GATEWAY_METHODS,
  parseRouteFile,
  RouteFileError,
  SIGNET_PATH_SEGMENTS,
  type GatewayMethod,
  type GatewayRoute,
  type RouteFile,
} from './route-file.ts';
export {
  declaredPermissionsFromEnv,
  exchangeEnabledFromEnv,
  gatewayConfigFromEnv,
  readRouteFile,
  type GatewayConfig,
  type ResolvedGatewayRoute,
} from './gateway-config.ts';
export { gatewayRoutes, type GatewayRouteOptions } from './gateway-routes.ts';
export { KEY_ENDPOINT_PATH, keyEndpoint, verifyTokenFromEnv, type KeyRecordView } from './key-endpoint.ts';
export { RouteMatcher, isNormalPath } from './route-match.ts';
export {
  IDENTITY_HEADERS,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  upstreamSigningString,
  verifyUpstreamRequest,
  type UpstreamCheck,
} from './identity-headers.ts';
