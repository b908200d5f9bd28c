import Foundation
import StoreCore
import SyncProtocol

extension SyncEvent {
    /// An outbox row as it travels.
    public init(outbox event: OutboxEvent) {
        self.init(id: event.id, sequence: event.sequence, type: event.type.rawValue, schemaVersion: event.schemaVersion,
                  payload: event.payload,
                  createdAt: SyncDate.text(event.createdAt))
    }
}
