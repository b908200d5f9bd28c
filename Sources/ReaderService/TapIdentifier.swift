import CardProtocols
import Foundation
import Logging
import PCSC

/// Turns the card in a reader into one `TapResult`, in as few APDUs as the card allows.
public struct TapIdentifier: Sendable {
    /// A tap that takes longer than this gives up with a reason.
    public var timeout: Duration
    public var policy: IdentificationPolicy

    /// Longer than any honest card needs, short enough that a stalled one frees the reader before the next customer.
    public static let defaultTimeout = Duration.seconds(3)

    public init(policy: IdentificationPolicy = IdentificationPolicy(storeID: "store"), timeout: Duration = Self.defaultTimeout) {
        self.policy = policy
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
            result.failure = "the card's answer could not be understood: \(error.message)"
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

    /// Picks the card's protocol from its ATR and reads it, trying the likeliest application first.
    private func read(_ kind: CardKind, _ session: CardSession) async throws -> TapIdentifiers {
        switch kind {
        case .storageCard(let card) where card.standard == .iso14443A3 && card.name != .mifareClassic1K && card.name != .mifareClassic4K:
            return try await readType2Tag(session)
        case .storageCard(let card):
            throw TapFailure.unsupportedCard(card.description)
        case .phoneCardEmulation:
            if let app = try await readCompanionApp(session) { return app }
            if let payment = try await readPaymentCard(session) { return payment }  // a phone wallet
            throw TapFailure.unsupportedCard("a phone without the Parcours app")
        case .iso14443_4(let historicalBytes):
            // NTAG 424 DNA announces itself with historical byte 80: try its NDEF application first.
            let tagFirst = historicalBytes == [0x80]
            if tagFirst, let tag = try await readType4Tag(session) { return tag }
            if let payment = try await readPaymentCard(session) { return payment }
            if !tagFirst, let tag = try await readType4Tag(session) { return tag }
            throw TapFailure.unsupportedCard("an ISO 14443-4 card with neither a payment application nor an NDEF tag")
        case .unknown:
            throw TapFailure.unsupportedCard("not a contactless card this reader service knows (ATR \(session.channel.atr.hexString))")
        }
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
