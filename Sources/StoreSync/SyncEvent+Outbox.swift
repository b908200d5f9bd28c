import Foundation
import StoreCore
import SyncProtocol

extension SyncEvent {
    init(outbox event: OutboxEvent) {
        self.init(id: event.id, sequence: event.sequence, type: event.type.rawValue, schemaVersion: event.schemaVersion,
                  payload: event.payload,
                  createdAt: event.createdAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}
