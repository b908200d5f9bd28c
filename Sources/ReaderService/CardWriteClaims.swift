import Foundation
import PCSC
import Synchronization

/// Readers whose next card is to be written rather than identified: a till issuing a new loyalty card.
///
/// A claim is taken exactly once, by whichever comes first: a card on the reader, or the claim's deadline.
final class CardWriteClaims: Sendable {
    struct Claim: Sendable {
        let id: UUID
        /// Runs on the card; its result resumes the caller waiting in ``ReaderService/issueCard(on:with:host:reissue:waitingUpTo:)``.
        let write: @Sendable (CardChannel) async throws -> IssuedCard
        let continuation: CheckedContinuation<IssuedCard, any Error>
    }

    private let claims = Mutex<[String: Claim]>([:])
    /// Readers with a card in the field now, as the monitor last reported.
    private let present = Mutex<Set<String>>([])

    /// Registers `claim` for `reader`; false when the reader already has one.
    func register(_ claim: Claim, on reader: String) -> Bool {
        claims.withLock { claims in
            guard claims[reader] == nil else { return false }
            claims[reader] = claim
            return true
        }
    }

    func isClaimed(_ reader: String) -> Bool { claims.withLock { $0[reader] != nil } }

    /// The pending claim on `reader`, removed so that nobody else takes it.
    func take(on reader: String) -> Claim? {
        claims.withLock { $0.removeValue(forKey: reader) }
    }

    /// The claim `id` on `reader` if it is still pending (its deadline passed first).
    func expire(_ id: UUID, on reader: String) -> Claim? {
        claims.withLock { claims in
            guard claims[reader]?.id == id else { return nil }
            return claims.removeValue(forKey: reader)
        }
    }

    func cardArrived(on reader: String) { _ = present.withLock { $0.insert(reader) } }
    func cardLeft(_ reader: String) { _ = present.withLock { $0.remove(reader) } }
    func isCardPresent(on reader: String) -> Bool { present.withLock { $0.contains(reader) } }
}
