import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import NIOSSL
import Logging
import StoreCore

/// Everything the HTTP API works with. One per running service; tests build their own with a test clock.
public struct StoreAPI: Sendable {
    public let database: StoreDatabase
    public let settings: StoreServiceSettings
    public let sessions: StaffSessions
    public let board: TapBoard
    public let metrics: StoreMetrics
    public let status: ServiceStatus
    /// nil when the service runs without readers: `POST /v1/cards` then answers 503.
    public let cardIssuing: CardIssuing?
    let deviceTokens: DeviceTokenCache
    let tapViews = EncodedViewCache<CurrentTapView>()
    let openAPIDocument: String

    public init(database: StoreDatabase, settings: StoreServiceSettings = StoreServiceSettings(),
                sessions: StaffSessions? = nil, board: TapBoard? = nil, metrics: StoreMetrics = StoreMetrics(),
                status: ServiceStatus = ServiceStatus(), cardIssuing: CardIssuing? = nil,
                deviceTokens: DeviceTokenCache = DeviceTokenCache()) {
        self.database = database
        self.settings = settings
        self.sessions = sessions ?? StaffSessions(lifetime: settings.staffSessionLifetime)
        self.board = board ?? TapBoard(idleTimeout: settings.tapIdleTimeout)
        self.metrics = metrics
        self.status = status
        self.cardIssuing = cardIssuing
        self.deviceTokens = deviceTokens
        openAPIDocument = Self.loadOpenAPIDocument()
    }

    /// The HTTP routes. Router middlewares are attached to each route when it is added, so they come first.
    public func makeRouter() -> Router<StoreRequestContext> {
        let router = Router(context: StoreRequestContext.self)
        addCommonMiddlewares(router)
        addPublicRoutes(router)
        addFrontRoutes(router)
        let v1 = router.group("v1").add(middleware: DeviceAuthMiddleware(database: database, sessions: sessions, tokens: deviceTokens))
        addTapRoutes(v1)
        addStaffSessionRoutes(v1)
        addKioskRoutes(v1)
        addCustomerRoutes(v1)
        addManagementRoutes(v1)
        addCardRoutes(v1)
        return router
    }

    /// The WebSocket upgrade routes, kept apart so that ordinary requests are never matched against them.
    public func makeWebSocketRouter() -> Router<StoreRequestContext> {
        let router = Router(context: StoreRequestContext.self)
        addCommonMiddlewares(router)
        let v1 = router.group("v1")
            .add(middleware: DeviceAuthMiddleware(database: database, sessions: sessions, tokens: deviceTokens, acceptsQueryToken: true))
        addLiveTapRoutes(v1)
        return router
    }

    private func addCommonMiddlewares(_ router: Router<StoreRequestContext>) {
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: JSONErrorMiddleware())
    }

    /// The request body of a POST, strictly decoded within the size limit.
    func body<Body: StrictBody>(_ type: Body.Type, _ request: Request) async throws -> Body {
        try await StrictJSON.decode(type, from: request, limit: settings.maximumBodyBytes)
    }

    static func loadOpenAPIDocument() -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return "" }
        return text
    }
}

/// The store's HTTP/WebSocket application: API, health, metrics and the OpenAPI document; HTTPS and WSS when the
/// settings name a certificate.
///
/// - Throws: ``ConfigurationError`` naming `tls.certificate` or `tls.key` when a PEM file cannot be used.
public func buildStoreApplication(api: StoreAPI, logger: Logger) throws -> some ApplicationProtocol {
    let http = HTTPServerBuilder.http1WebSocketUpgrade(webSocketRouter: api.makeWebSocketRouter())
    let server = try api.settings.tls.map { try HTTPServerBuilder.tls(http, tlsConfiguration: try $0.serverConfiguration()) } ?? http
    return Application(
        router: api.makeRouter(),
        server: server,
        configuration: ApplicationConfiguration(
            address: .hostname(api.settings.host, port: api.settings.port), serverName: api.settings.serverName),
        logger: logger)
}

public func buildStoreApplication(database: StoreDatabase, settings: StoreServiceSettings, logger: Logger) throws -> some ApplicationProtocol {
    try buildStoreApplication(api: StoreAPI(database: database, settings: settings), logger: logger)
}
