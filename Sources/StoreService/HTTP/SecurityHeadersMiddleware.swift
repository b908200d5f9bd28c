import Logging
import HTTPTypes
import Hummingbird

/// Security headers on every response, errors included.
///
/// The policy suits the plain HTML/CSS/JS fronts served from this origin: no inline script or style, no CDN, no
/// framing, `connect-src 'self'` (which covers the same-origin WebSocket in current browsers), and `worker-src
/// 'self'` for the fronts' service worker (`/sw.js`, the shell kept for an offline reload).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String { SecurityHeaderValues.contentSecurityPolicy }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[SecurityHeaderValues.referrerPolicy] = "no-referrer"
        response.headers[SecurityHeaderValues.frameOptions] = "DENY"
        response.headers[.contentSecurityPolicy] = SecurityHeaderValues.contentSecurityPolicy
        if request.uri.path.hasPrefix("/v1") {
            // Customer data must not linger in a shared kiosk's browser cache.
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

/// Built once (a generic middleware cannot hold static stored values): a field name is validated when it is made,
/// and these go on every response.
enum SecurityHeaderValues {
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "worker-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
}
