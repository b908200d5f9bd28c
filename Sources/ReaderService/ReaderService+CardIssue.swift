import Foundation
import PCSC

extension ReaderService {
    /// Writes a signed loyalty card onto the next card on `reader` (one already in the field counts), instead
    /// of identifying it: the running service owns the readers, so a till's "issue card" goes through it.
    ///
    /// The card is checked, written, read back and verified by `issuer` exactly as `parcours card issue` does.
    /// No tap result is published for that card.
    ///
    /// - Throws: ``CardIssueError``: `.noTap` when no card came within `wait`, `.configuration` when the reader
    ///   already has an issue waiting, and the issuer's own refusals (locked, too small, foreign…).
    public func issueCard(
        on reader: String, with issuer: CardIssuer, host: String, reissue: Bool = false, waitingUpTo wait: Duration
    ) async throws -> IssuedCard {
        let id = UUID()
        let claims = writeClaims
        let access = readerAccess
        return try await withCheckedThrowingContinuation { continuation in
            let claim = CardWriteClaims.Claim(
                id: id, write: { channel in try await issuer.issue(on: channel, host: host, reissue: reissue) },
                continuation: continuation)
            guard claims.register(claim, on: reader) else {
                continuation.resume(throwing: CardIssueError(
                    .configuration, "a card issue is already waiting on \(reader): finish or cancel it first"))
                return
            }
            Task {
                try? await Task.sleep(for: wait)
                claims.expire(id, on: reader)?.continuation.resume(throwing: CardIssueError(
                    .noTap, "no card on \(reader) within \(wait.components.seconds) s"))
            }
            if claims.isCardPresent(on: reader), let taken = claims.take(on: reader) {
                Task { await Self.run(taken, on: reader, access.access(for: reader)) }
            }
        }
    }

    /// Connects to the card on `reader` and runs the claim's write, resuming its caller either way.
    static func run(_ claim: CardWriteClaims.Claim, on reader: String, _ access: CardAccess) async {
        let channel: CardChannel
        do {
            channel = try await access.connect(reader: reader)
        } catch {
            claim.continuation.resume(throwing: (error as? PCSCError)?.meansCardGone == true
                ? CardIssueError(.cardLeft, "the card left the reader before it could be written; nothing was written")
                : CardIssueError(.unreadable, "could not reach the card on \(reader): \(error)"))
            return
        }
        do {
            let issued = try await claim.write(channel)
            await channel.disconnect()
            claim.continuation.resume(returning: issued)
        } catch {
            await channel.disconnect()
            claim.continuation.resume(throwing: error)
        }
    }
}
