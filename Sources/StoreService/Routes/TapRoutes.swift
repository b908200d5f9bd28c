import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import StoreCore

/// The current tap of the asking device, over HTTP and as a live WebSocket feed.
extension StoreAPI {
    func addTapRoutes(_ v1: RouterGroup<StoreRequestContext>) {
        v1.get("taps/current") { _, context -> Response in
            let device = try context.requireDevice()
            guard let tap = await board.current(deviceId: device.id) else {
                throw APIError(.notFound, "noCurrentTap", "no card was tapped on this device's reader recently")
            }
            let view = CurrentTapView(tap, includeProfileId: Self.seesProfileIds(context))
            return JSONResponse.make(body: try tapViews.body(for: view, key: device.id))
        }
    }

    /// `GET /v1/taps/live?token=…` upgraded to a WebSocket: the device's current tap at once (a device that
    /// reconnects gets the current state), then every new tap on its reader, as JSON text messages.
    func addLiveTapRoutes(_ v1: RouterGroup<StoreRequestContext>) {
        let board = board
        v1.ws("taps/live", shouldUpgrade: { _, context in
            _ = try context.requireDevice()
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, wsContext in
            guard let device = wsContext.requestContext.device else { return }
            let includeProfileId = Self.seesProfileIds(wsContext.requestContext)
            let taps = await board.subscribe(deviceId: device.id)
            let encoder = JSONResponse.encoder()
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The page sends nothing we act on, but reading is how the close frame is seen.
                group.addTask {
                    for try await _ in inbound {}
                }
                group.addTask {
                    for await tap in taps {
                        let data = try encoder.encode(CurrentTapView(tap, includeProfileId: includeProfileId))
                        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
                    }
                }
                // Whichever ends first (the client closed, or the server is shutting down) ends the other.
                try await group.next()
                group.cancelAll()
            }
        })
    }

    /// A till with a staff session opens the customer panel by profile id; a kiosk never learns it.
    static func seesProfileIds(_ context: StoreRequestContext) -> Bool {
        context.device?.kind == .till && context.staff != nil
    }
}
