import CardProtocols
import CardSecurity
import PCSC

extension TapIdentifier {
    /// NFC Forum Type 2 (NTAG21x): UID, then the NDEF message in as few 16-byte reads as it needs.
    /// A Parcours card's signed URI proves its card id; any other content leaves just the UID.
    func readType2Tag(_ session: CardSession) async throws -> TapIdentifiers {
        var identifiers = TapIdentifiers()
        let uid = try await readUID(session)
        identifiers.cardUID = uid.hexString
        let contents = try await Type2Tag.readContents { try await session.send($0) }
        guard let ndefBytes = contents.memory.ndefMessage, !ndefBytes.isEmpty else { return identifiers }
        let message = try NDEFMessage(parsing: ndefBytes)
        guard let verifier = policy.loyaltyCards, let uri = message.records.lazy.compactMap(\.uri).first else {
            return identifiers
        }
        do {
            identifiers.loyaltyCard = try verifier.verify(uri: uri, uid: uid).rawValue
        } catch let error as CardSecurityError where error.code == .foreignCard {
            // Another brand's or a blank URL: not ours, not forged. The UID is all this card proves.
        } catch let error as CardSecurityError {
            throw TapFailure.rejected("loyalty card rejected: \(error.message)")
        }
        return identifiers
    }

    /// The reader's `GET DATA` pseudo-APDU: the anti-collision UID (random for phones).
    func readUID(_ session: CardSession) async throws -> [UInt8] {
        let response = try await session.send(.getUID)
        let uid = try response.successData(of: "GET UID (FF CA 00 00 00)")
        guard [4, 7, 10].contains(uid.count) else {
            throw TapFailure.rejected("the reader returned a \(uid.count)-byte UID; 4, 7 or 10 bytes expected")
        }
        return uid
    }
}
