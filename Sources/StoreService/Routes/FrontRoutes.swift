import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The kiosk and till web fronts: plain HTML/CSS/JS from the `Resources/Public` folder, served at `/kiosk/` and
/// `/till/`, with `/` a page linking to both.
///
/// The fronts are public static files: they hold no customer data and no secret. Each device is paired once by
/// typing its device token into the front's setup screen, which keeps it in the browser's localStorage and sends
/// it as `Authorization: Bearer …` on every API call.
///
/// They are served by a middleware rather than routes, so that the routers keep exactly the API routes the
/// OpenAPI document lists. The middleware sits in front of every route and of the not-found responder, answers
/// only GET/HEAD for the files it holds, and passes everything else on untouched. The files are read once, when
/// the router is built: a few kilobytes, and nothing on disk is ever looked up from a request path.
///
/// `/sw.js` is the service worker that keeps the shell (these files and the fronts' config.json) for a reload
/// while the service is down. It is served filled in: its cache is named after a hash of every file it keeps,
/// so a new build or a new configuration is a new worker with a fresh cache, and it lists exactly the files
/// served here. At the root, its scope is `/` without a `Service-Worker-Allowed` header; it answers only for
/// those files and leaves `/v1/…` and every other request to the network.
extension StoreAPI {
    func addFrontRoutes(_ router: Router<StoreRequestContext>) {
        router.add(middleware: FrontFilesMiddleware(files: FrontFiles.load(settings: settings)))
    }
}

/// The front files by URL path, with their content types.
struct FrontFiles: Sendable {
    struct File: Sendable {
        var contentType: String
        var body: ByteBuffer
    }

    var files: [String: File]
    /// Paths answered with a redirect to the folder (so that the pages' relative URLs resolve).
    var redirects: [String: String]

    static func load(settings: StoreServiceSettings) -> FrontFiles {
        var files: [String: File] = [:]
        if let root = Bundle.module.url(forResource: "Public", withExtension: nil)
            ?? Bundle.module.resourceURL?.appendingPathComponent("Public") {
            let rootPath = root.resolvingSymlinksInPath().path
            let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
            while let url = enumerator?.nextObject() as? URL {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                      let data = FileManager.default.contents(atPath: url.path) else { continue }
                let full = url.resolvingSymlinksInPath().path
                guard full.hasPrefix(rootPath + "/") else { continue }
                let relative = String(full.dropFirst(rootPath.count))
                files[relative] = File(contentType: contentType(ofPath: relative), body: ByteBuffer(bytes: data))
                if relative.hasSuffix("/index.html") {
                    files[String(relative.dropLast("index.html".count))] = files[relative]
                }
            }
        }
        // What the fronts need from the configuration: the kiosk when to warn and reset; both the languages to offer.
        files["/kiosk/config.json"] = jsonFile(KioskConfig(idleTimeoutSeconds: Int(settings.tapIdleTimeout), languages: settings.frontLanguages))
        files["/till/config.json"] = jsonFile(TillConfig(languages: settings.frontLanguages))
        if let worker = files.removeValue(forKey: serviceWorkerPath) {
            files[serviceWorkerPath] = filledServiceWorker(worker, shell: files)
        }
        var redirects: [String: String] = [:]
        for folder in ["/kiosk", "/till"] where files[folder + "/"] != nil { redirects[folder] = folder + "/" }
        return FrontFiles(files: files, redirects: redirects)
    }

    static let serviceWorkerPath = "/sw.js"

    struct KioskConfig: Encodable {
        var idleTimeoutSeconds: Int
        var languages: [String]
    }

    struct TillConfig: Encodable {
        var languages: [String]
    }

    static func jsonFile(_ value: some Encodable) -> File {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Two small structs of numbers and validated language codes: encoding cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return File(contentType: "application/json; charset=utf-8", body: ByteBuffer(bytes: data))
    }

    /// The worker with its placeholders filled: the shell's paths (every file served here) and a version that is
    /// a hash of their paths and bytes, so that any change to the shell is a new worker and a new cache.
    static func filledServiceWorker(_ worker: File, shell files: [String: File]) -> File {
        let paths = files.keys.sorted()
        var hasher = SHA256()
        for path in paths {
            hasher.update(data: Data(path.utf8))
            hasher.update(data: Data([0]))
            hasher.update(data: Data(files[path]!.body.readableBytesView))
            hasher.update(data: Data([0]))
        }
        let version = hasher.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let pathList = (try? encoder.encode(paths)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        let source = String(buffer: worker.body)
            .replacingOccurrences(of: "\"__SHELL_VERSION__\"", with: "\"\(version)\"")
            .replacingOccurrences(of: "[/* __SHELL_PATHS__ */]", with: pathList)
        return File(contentType: worker.contentType, body: ByteBuffer(string: source))
    }

    static func contentType(ofPath path: String) -> String {
        switch path.split(separator: ".").last.map({ $0.lowercased() }) {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}

struct FrontFilesMiddleware<Context: RequestContext>: RouterMiddleware {
    let files: FrontFiles

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method == .get || request.method == .head, !path.hasPrefix("/v1/") else {
            return try await next(request, context)
        }
        if let target = files.redirects[path] {
            return Response(status: .movedPermanently, headers: [.location: target])
        }
        guard let file = files.files[path] else { return try await next(request, context) }
        let headers: HTTPFields = [
            .contentType: file.contentType,
            // Always revalidated: a kiosk picks up a new front on its next load.
            .cacheControl: "no-cache",
            .contentLength: String(file.body.readableBytes),
        ]
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: file.body))
    }
}
