import CardProtocols
import CardSecurity
import PCSC
import Foundation

extension TapIdentifier {
    /// A contactless EMV card: PPSE, the highest-priority application, GET PROCESSING OPTIONS with the PDOL
    /// filled for a zero-amount identification, READ RECORD over the AFL, then the keyed token of the card
    /// number. The number itself lives only in the record buffers, which the tokenizer wipes.
    /// Returns nil when the card has no payment environment.
    func readPaymentCard(_ session: CardSession) async throws -> TapIdentifiers? {
        let ppse = try await session.send(CommandAPDU.selectPPSE)
        guard ppse.status.isSuccess else { return nil }
        guard let tokenizer = policy.paymentTokens else {
            throw TapFailure.rejected("a payment card was tapped but no payment-token secret is configured")
        }
        let candidates = try EMVApplicationCandidate.candidates(fromPPSE: ppse.data)
        guard let application = candidates.first else {
            throw TapFailure.unsupportedCard("a payment card that lists no application")
        }
        let fci = try EMVApplicationFCI(parsing: try await session.send(.select(aid: application.aid)).successData(of: "SELECT \(application.aid.hexString)"))
        let terminal = try terminalData()
        let gpo = try await session.send(try .getProcessingOptions(pdolData: terminal.processingOptionsData(for: fci.processingOptionsDOL)))
        let options = try GPOResponse(parsing: try gpo.successData(of: "GET PROCESSING OPTIONS"))

        var records: [[UInt8]] = []
        defer { for index in records.indices { records[index].wipe() } }
        for command in options.applicationFileLocator.readRecordCommands {
            records.append(try await session.sendSensitive(command))
        }
        do {
            let card = try tokenizer.tokenize(records: &records, aid: application.aid)
            var identifiers = TapIdentifiers()
            identifiers.paymentToken = card.paymentToken
            identifiers.paymentAccountReference = card.paymentAccountReference
            identifiers.maskedPAN = card.maskedPAN
            identifiers.paymentScheme = "\(card.scheme)"
            return identifiers
        } catch let error as CardSecurityError {
            throw TapFailure.rejected("payment card not usable: \(error.message)")
        }
    }

    private func terminalData() throws -> EMVTerminalData {
        let today = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        var unpredictable = [UInt8](repeating: 0, count: 4)
        for index in unpredictable.indices { unpredictable[index] = UInt8.random(in: 0...255) }
        return try EMVTerminalData(
            countryCode: policy.terminalCountryCode, currencyCode: policy.terminalCurrencyCode,
            year: today.year ?? 2026, month: today.month ?? 1, day: today.day ?? 1, unpredictableNumber: unpredictable)
    }
}

extension [UInt8] {
    /// Overwrites every byte with zero, in place, so a secret does not outlive its use in this buffer.
    mutating func wipe() {
        withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            // memset through a volatile-like path the optimiser keeps: explicit_bzero is in glibc ≥ 2.25.
            explicit_bzero(base, bytes.count)
        }
    }
}
