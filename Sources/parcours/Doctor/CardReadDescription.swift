import Foundation
import ReaderService

/// A test read in words: the card's kind, its ATR, and which proof it gave, never the value of any identifier.
///
/// The UID, the loyalty card id, the SUN tag's UID, the phone's device id and the payment token are what identify
/// a person's card; a diagnosis pasted into a ticket must hold none of them.
enum CardReadDescription {
    static func check(_ check: String, result: TapResult, atr: [UInt8], hasSecrets: Bool) -> DoctorCheck {
        let facts = "\(result.technology), ATR \(result.atr)"
        let cost = "\(result.apduCount) APDU\(result.apduCount == 1 ? "" : "s") in \(Int(result.milliseconds.rounded())) ms"
        if let failure = result.failure {
            let reason = scrubbed(failure, keeping: result.atr)
            if !hasSecrets {
                return .warn(check, "\(facts): the reader works; the card was not identified (\(reason))",
                             fix: "the identification secrets are not set up yet (see the identification line)")
            }
            return .warn(check, "\(facts): the reader works; the card was not identified (\(reason))",
                         fix: "try a known Parcours card; if none reads, compare the identification secrets with the chain's")
        }
        return .ok(check, "\(facts): \(proof(result.identifiers, hasSecrets: hasSecrets)) (\(cost))")
    }

    /// The strongest identifier the card proved, named by kind.
    static func proof(_ identifiers: TapIdentifiers, hasSecrets: Bool) -> String {
        if identifiers.sunTag != nil { return "an NTAG 424 DNA tag, its SUN message verified" }
        if identifiers.appDevice != nil { return "the Parcours companion app, an enrolled phone verified" }
        if identifiers.loyaltyCard != nil { return "a Parcours loyalty card, its signature verified" }
        if identifiers.paymentToken != nil {
            return "a payment card (\(identifiers.paymentScheme ?? "scheme unknown")), tokenized"
        }
        if identifiers.cardUID != nil {
            return hasSecrets ? "a tag that proves only its UID (no Parcours signature)" : "a tag read for its UID only (no keys to check a signature)"
        }
        return "a card that gave no identifier"
    }

    /// The failure text with anything that could be a card's number or UID taken out: reasons are written for
    /// logs and hold none, but this line may be pasted anywhere, so long digit or hex runs other than the ATR go.
    static func scrubbed(_ text: String, keeping atr: String) -> String {
        var output = ""
        var run = ""
        func flush() {
            let isLong = run.count >= 8 && run != atr
            output += isLong ? "…" : run
            run = ""
        }
        for character in text {
            if character.isHexDigit { run.append(character) } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }
}
