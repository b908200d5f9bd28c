import CardProtocols
import CardSimulator
import Crypto

/// Card-specific lines around a tap: what to enroll before, what the card served after.
enum CardDetails {
    /// Printed once before the first tap.
    static func beforeTaps(_ card: any VirtualCard) -> String? {
        switch card {
        case let phone as CompanionAppCard:
            let key = phone.publicKey
            return """
                phone: UID \(FieldTrace.hex(phone.identity.uid)), device id \(phone.deviceID)
                public key (X9.63): \(FieldTrace.hex(Array(key.x963Representation)).filter { $0 != " " })
                \(key.pemRepresentation)
                """
        case let tag as NTAG424Tag:
            return "NTAG 424 DNA \(tag.uid), SDMReadCtr \(tag.readCounter): the next read serves \(tag.readCounter + 1)"
        default:
            return nil
        }
    }

    /// Printed after each tap.
    static func afterTap(_ card: any VirtualCard) -> String? {
        switch card {
        case let tag as NTAG424Tag:
            guard let url = tag.lastURL else { return "  served no URL: the NDEF file was not read" }
            return "  served \(url) (SDMReadCtr \(tag.readCounter))"
        case let tag as NTAGTag:
            return (try? tag.ndefMessage())?.flatMap { message in
                message.records.first.map { "  NDEF now: \($0)" }
            }
        default:
            return nil
        }
    }
}
