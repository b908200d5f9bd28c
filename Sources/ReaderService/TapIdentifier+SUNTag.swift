import CardProtocols
import CardSecurity
import PCSC

extension TapIdentifier {
    /// A Type 4 tag: SELECT the NDEF application, read CC and NDEF file; an NTAG 424 DNA's URI carries a SUN
    /// message that proves UID and counter. Returns nil when the card has no NDEF application.
    func readType4Tag(_ session: CardSession) async throws -> TapIdentifiers? {
        let contents: Type4Tag.Contents
        do {
            contents = try await Type4Tag.readContents { command in
                let response = try await session.send(command)
                // A card without the NDEF application is not a Type 4 tag: let the caller try EMV next.
                if command == Type4Tag.selectApplication, !response.status.isSuccess { throw NotAType4Tag() }
                return response
            }
        } catch is NotAType4Tag {
            return nil
        }
        guard let ndefBytes = contents.ndefMessage, !ndefBytes.isEmpty else {
            throw TapFailure.unsupportedCard("a Type 4 tag with an empty NDEF file")
        }
        let message = try NDEFMessage(parsing: ndefBytes)
        guard let uri = message.records.lazy.compactMap(\.uri).first else {
            throw TapFailure.unsupportedCard("a Type 4 tag without a URI record")
        }
        guard let verifier = policy.sunTags else {
            throw TapFailure.rejected("a SUN tag was tapped but no SUN keys are configured")
        }
        do {
            let proof = try await verifier.verify(url: uri)
            var identifiers = TapIdentifiers()
            identifiers.sunTag = .init(uid: proof.uid.hexString, counter: proof.counter)
            return identifiers
        } catch let error as CardSecurityError {
            throw TapFailure.rejected("SUN tag rejected: \(error.message)")
        } catch let error as CardProtocolError {
            throw TapFailure.rejected("SUN tag rejected: \(error.message)")
        }
    }
}

private struct NotAType4Tag: Error {}
