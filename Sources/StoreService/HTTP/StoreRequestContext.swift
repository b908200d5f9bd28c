import Hummingbird
import HummingbirdWebSocket
import Logging
import StoreCore

/// The per-request state: who is asking. Set by ``DeviceAuthMiddleware``; read by the routes' role checks.
public struct StoreRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The kiosk or till whose bearer token came with the request.
    public var device: Device?
    /// The staff member signed in at that till, when an `X-Staff-Session` header named a live session.
    public var staff: StaffSession?

    public init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
    }
}
