import CardProtocols
import CardSecurity
import PCSC

extension TapIdentifier {
    /// A phone running the companion app (Android HCE): SELECT our AID, send a fresh challenge bound to this
    /// store and reader, verify the device's signature against its registered key.
    /// Returns nil when the phone does not answer our AID (no app, or another app).
    func readCompanionApp(_ session: CardSession) async throws -> TapIdentifiers? {
        let select = try await session.send(try CompanionAppProtocol.selectCommand())
        guard select.status.isSuccess else { return nil }
        let challenge = CompanionAppProtocol.makeChallenge()
        let context = try CompanionAppProtocol.readerContext(storeID: policy.storeID, deviceName: session.channel.readerName)
        let answer = try await session.send(try CompanionAppProtocol.authenticateCommand(challenge: challenge, readerContext: context))
        do {
            let device = try await policy.appVerifier.verify(
                response: answer, challenge: challenge, readerContext: context, keyLookup: policy.appDeviceKeys)
            var identifiers = TapIdentifiers()
            identifiers.appDevice = device.description
            return identifiers
        } catch let error as CardSecurityError {
            throw TapFailure.rejected("companion app rejected: \(error.message)")
        }
    }
}
