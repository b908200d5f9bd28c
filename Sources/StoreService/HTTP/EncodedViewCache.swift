import Foundation
import Hummingbird
import Synchronization

/// The JSON of the last view answered to each device, kept while the view stays the same.
///
/// A kiosk polls its current tap, and the answer changes only when a card is tapped or a sign-up completes, so
/// most polls would encode the same view again; `JSONEncoder` cost more than everything else a cached greeting
/// does. The cached bytes are reused only when the view about to be answered is equal to the one they were
/// encoded from, so an answer can never be stale.
final class EncodedViewCache<View: Encodable & Hashable & Sendable>: Sendable {
    private struct Entry: Sendable {
        var view: View
        var body: ByteBuffer
    }

    /// Far above the devices of one store; keys are device ids that authenticated, never client input.
    private static var capacity: Int { 1024 }
    private let entries = Mutex<[String: Entry]>([:])

    /// `view` as JSON, encoded once for as long as `key` keeps asking for an equal view.
    func body(for view: View, key: String) throws -> ByteBuffer {
        if let entry = entries.withLock({ $0[key] }), entry.view == view { return entry.body }
        let body = ByteBuffer(bytes: try JSONResponse.encode(view))
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[key] = Entry(view: view, body: body)
        }
        return body
    }
}
