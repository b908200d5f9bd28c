import Foundation
import HTTPTypes
import Hummingbird

/// The managers' dashboard: plain HTML/CSS/JS from `Resources/Public/dashboard`, served at `/dashboard` (the
/// chain's figures) and `/dashboard/customer?id=…` (one customer's 360° view), with their assets beside them.
///
/// The files are public and hold no data: the pages sign the manager in through `POST /v1/manager/sessions` and
/// fetch everything else with that session's token. They are read once, when the router is built; nothing on disk
/// is ever looked up from a request path, so `/dashboard/../…` can only be a 404.
extension HeadOfficeAPI {
    public func addDashboardRoutes(to router: Router<BasicRequestContext>) {
        let files = DashboardFiles.load()
        let dashboard = router.group("dashboard").add(middleware: DashboardSecurityHeadersMiddleware())
        dashboard.get { _, _ in files.response("index.html") }
        dashboard.get("customer") { _, _ in files.response("customer.html") }
        dashboard.get("{file}") { _, context in files.response(context.parameters.get("file") ?? "") }
    }
}

/// The dashboard's files by name, with their content types.
struct DashboardFiles: Sendable {
    struct File: Sendable {
        var contentType: String
        var body: ByteBuffer
    }

    var files: [String: File]

    static func load() -> DashboardFiles {
        var files: [String: File] = [:]
        guard let root = Bundle.module.url(forResource: "Public", withExtension: nil)?.appendingPathComponent("dashboard"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else {
            return DashboardFiles(files: files)
        }
        for name in names where !name.hasPrefix(".") {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(name).path) else { continue }
            files[name] = File(contentType: contentType(of: name), body: ByteBuffer(bytes: data))
        }
        return DashboardFiles(files: files)
    }

    func response(_ name: String) -> Response {
        guard let file = files[name] else {
            return HeadOfficeErrorMiddleware<BasicRequestContext>.response(
                .notFound, "not_found", "no dashboard file '\(name.prefix(80))': the dashboard is at /dashboard")
        }
        return Response(status: .ok,
                        headers: [.contentType: file.contentType, .cacheControl: "no-cache", .contentLength: String(file.body.readableBytes)],
                        body: .init(byteBuffer: file.body))
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last.map({ $0.lowercased() }) {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }
}

/// The same policy as the store's fronts: no inline script or style, nothing from another origin, no framing,
/// and nothing a manager saw left in a shared browser's cache.
struct DashboardSecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        return response
    }
}
