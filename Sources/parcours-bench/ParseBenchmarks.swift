import CardProtocols
import CardSecurity
import CardSimulator
import Crypto
import Foundation

/// What Parcours' own parsing and proof checking cost per message, with no card I/O.
enum ParseBenchmarks {
    static func run() throws -> [String] {
        let host = "parcours.example"
        let uid: [UInt8] = [0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6]
        let keyring = try LoyaltyCardKeyring(keys: ["k1": SymmetricKey(size: .bits256)], currentKeyID: "k1")
        let signer = LoyaltyCardSigner(keyring: keyring)
        let url = try signer.makeCardURL(host: host, cardID: signer.makeCardID(), uid: uid)
        let ndef = try NDEFMessage(records: [.uri(url)]).serialized()
        let dataArea = try Type2TagMemory.dataArea(forNDEF: ndef, capacity: 144)
        let verifier = try LoyaltyCardVerifier(keyring: keyring, hosts: [host])

        let zero = SymmetricKey(data: [UInt8](repeating: 0, count: 16))
        let sun = try SUNVerifier(
            layout: try .queryParameters(piccData: "picc_data", fileData: nil, mac: "cmac"),
            keys: .fixed(metaReadKey: zero, fileReadKey: zero), counterStore: InMemorySUNCounterStore())
        let sunURL = "https://example.com/?picc_data=EF963FF7828658A599F3041510671E88&cmac=94EED9EE65337086"

        // A Visa READ RECORD answer as the simulator's test card gives it: track 2, PAN, expiry, name, PAR.
        let visa = try EMVCard(profile: .testCard(.visa))
        func ask(_ command: CommandAPDU) throws -> [UInt8] {
            try ResponseAPDU(parsing: visa.respond(to: command.serialized())).successData(of: "bench card")
        }
        let candidates = try EMVApplicationCandidate.candidates(fromPPSE: try ask(.selectPPSE))
        let fci = try EMVApplicationFCI(parsing: try ask(.select(aid: candidates[0].aid)))
        let terminal = try EMVTerminalData(countryCode: 250, currencyCode: 978, year: 2026, month: 11, day: 22, unpredictableNumber: [1, 2, 3, 4])
        let gpo = try GPOResponse(parsing: try ask(.getProcessingOptions(pdolData: terminal.processingOptionsData(for: fci.processingOptionsDOL))))
        var record: [UInt8] = []
        for command in gpo.applicationFileLocator.readRecordCommands {
            let answer = try ask(command)
            if (try? TLV.parseAll(answer))?.first(tag: 0x5A) != nil { record = answer }
        }
        guard !record.isEmpty else { throw BenchError("the simulated Visa card gave no record with its PAN") }
        let tokenizer = try PaymentTokenizer(secret: SymmetricKey(size: .bits256))
        let aid: [UInt8] = [0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10]

        var lines = ["parse and proof cost per message (median of 15 batches):"]
        lines.append("  NDEF message (one URI record, \(ndef.count) B): \(String(format: "%.2f", try medianMicroseconds(perBatch: 20_000) { _ = try NDEFMessage(parsing: ndef) })) µs")
        lines.append("  Type 2 data area TLVs (\(dataArea.count) B): \(String(format: "%.2f", try medianMicroseconds(perBatch: 20_000) { _ = try Type2TagMemory(parsing: dataArea) })) µs")
        lines.append("  loyalty card signature check (HMAC-SHA256): \(String(format: "%.2f", try medianMicroseconds(perBatch: 5_000) { _ = try verifier.verify(uri: url, uid: uid) })) µs")
        lines.append("  SUN message (AES-CBC decrypt + 2 CMACs): \(String(format: "%.2f", try medianMicroseconds(perBatch: 5_000) { _ = try sun.authenticate(url: sunURL) })) µs")
        lines.append("  BER-TLV of an EMV record (\(record.count) B): \(String(format: "%.2f", try medianMicroseconds(perBatch: 20_000) { _ = try TLV.parseAll(record) })) µs")
        lines.append("  payment token from a record (scan, Luhn, HMAC, wipe): \(String(format: "%.2f", try medianMicroseconds(perBatch: 5_000) { var records = [record]; _ = try tokenizer.tokenize(records: &records, aid: aid) })) µs")
        return lines
    }
}
