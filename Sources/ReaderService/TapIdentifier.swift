import CardProtocols
import Foundation
import Logging
import PCSC

/// Turns the card in a reader into one `TapResult`, in as few APDUs as the card allows.
public struct TapIdentifier: Sendable {
    /// A tap that takes longer than this gives up with a reason.
    public var timeout: Duration

    public init(timeout: Duration = .seconds(3)) {
        self.timeout = timeout
    }

    /// Reads the card on `channel`. Never throws: every failure becomes the result's `failure`.
    public func identify(channel: CardChannel, seenAt: ContinuousClock.Instant = .now, at wallClock: Date = Date()) async -> TapResult {
        let session = CardSession(channel: channel, deadline: seenAt.advanced(by: timeout))
        var result = TapResult(
            reader: channel.readerName, at: wallClock, technology: "unknown card", atr: channel.atr.hexString,
            identifiers: TapIdentifiers(), failure: nil, apduCount: 0, milliseconds: 0)
        do {
            let atr = try ATR(parsing: channel.atr)
            let kind = atr.cardKind
            result.technology = kind.description
            result.identifiers = try await read(kind, session)
        } catch let error as CardProtocolError {
            result.failure = "the card's answer could not be understood: \(error)"
        } catch let error as PCSCError where error.meansCardGone {
            result.failure = TapFailure.cardLeft.description
        } catch let error as TapFailure {
            result.failure = error.description
        } catch {
            result.failure = "\(error)"
        }
        result.apduCount = session.apduCount
        result.milliseconds = seenAt.duration(to: .now).milliseconds
        return result
    }

    private func read(_ kind: CardKind, _ session: CardSession) async throws -> TapIdentifiers {
        var identifiers = TapIdentifiers()
        identifiers.cardUID = try await readUID(session)
        return identifiers
    }

    /// The reader's `GET DATA` pseudo-APDU: the anti-collision UID (random for phones).
    private func readUID(_ session: CardSession) async throws -> String {
        let response = try await session.send(.getUID)
        let uid = try response.successData(of: "GET UID (FF CA 00 00 00)")
        guard (4...10).contains(uid.count) else {
            throw TapFailure.rejected("the reader returned a \(uid.count)-byte UID; 4, 7 or 10 bytes expected")
        }
        return uid.hexString
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
