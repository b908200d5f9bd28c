import Logging
import Foundation
import HTTPTypes
import Hummingbird
import StoreCore

/// `/health`, `/metrics` and `/openapi.yaml`: no device token, and nothing about customers.
extension StoreAPI {
    struct HealthView: Encodable {
        var status: String
        var database: String
        var outboxPending: Int?
        var pcsc: String
        var readers: [String]
        var headOffice: String
    }

    func addPublicRoutes(_ router: Router<StoreRequestContext>) {
        router.get("health") { _, context -> Response in
            var outbox: Int?
            do {
                outbox = try await database.pendingOutboxCount()
            } catch {
                context.logger.error("health: database check failed", metadata: ["errorType": "\(type(of: error))"])
            }
            let readers = await status.readers.sorted()
            let pcsc = await status.pcscAvailable.map { $0 ? "available" : "unavailable" } ?? "unknown"
            let headOffice = await status.headOffice
            let view = HealthView(status: outbox == nil ? "degraded" : "ok", database: outbox == nil ? "unavailable" : "ok",
                                  outboxPending: outbox, pcsc: pcsc, readers: readers, headOffice: headOffice)
            return JSONResponse.make(view, status: outbox == nil ? .serviceUnavailable : .ok)
        }

        router.get("metrics") { _, _ -> Response in
            // The backlog is read at scrape time: it is one indexed count, and always current.
            if let count = try? await database.pendingOutboxCount() { metrics.outboxBacklog(count) }
            metrics.serviceState(await ServiceStateSnapshot(status))
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }

        let document = openAPIDocument
        router.get("openapi.yaml") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: document)))
        }
    }
}
