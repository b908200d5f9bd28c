import ArgumentParser
import CardProtocols
import CardSecurity
import CardSimulator
import Foundation

/// The card to play: its kind and content, shared by `tap` and `present`.
struct CardOptions: ParsableArguments {
    @Argument(help: "The card kind (see 'parcours-cardsim kinds').")
    var kind: String

    @Option(help: "The UID in hex: 7 bytes for ntag kinds (default 04A1B2C3D4E5F6), 4, 7 or 10 for the others.")
    var uid: String?

    // MARK: NTAG213/215/216

    @Option(name: .customLong("ndef-uri"), help: ArgumentHelp("NTAG21x: write an NDEF message with this URI record.", valueName: "uri"))
    var ndefURI: String?

    @Option(name: .customLong("ndef-text"), help: ArgumentHelp("NTAG21x: an NDEF text record (en), after the URI record.", valueName: "text"))
    var ndefText: String?

    @Flag(help: "NTAG21x: factory content only (the default without --ndef options).")
    var blank = false

    @Flag(help: "NTAG21x: make the tag read-only after writing it (CC access 0F, every lock bit set).")
    var locked = false

    @Option(name: .customLong("data-area"), help: ArgumentHelp("NTAG21x: the data area the CC declares, a multiple of 8 below the model's (a tag too small for a message).", valueName: "bytes"))
    var dataArea: Int?

    @Option(help: ArgumentHelp(
        "NTAG21x issuing cases: blank, locked (read-only blank), too-small (CC declares 48 bytes), foreign-url (someone else's URL).",
        valueName: "variant"))
    var variant: String?

    // MARK: NTAG 424 DNA

    @Option(name: .customLong("sun-url"), help: ArgumentHelp("ntag424: the URL template with {picc} (or {uid} and {ctr}), optional {file}, and {mac}.", valueName: "template"))
    var sunURL: String?

    @Option(name: .customLong("sun-mac-from"), help: ArgumentHelp("ntag424: where the MAC input starts: picc, uid, ctr, file, mac or a byte offset (default: file if present, else mac).", valueName: "start"))
    var sunMACFrom: String?

    @Option(name: .customLong("sun-file-data"), help: ArgumentHelp("ntag424: ASCII plaintext behind {file}, a multiple of 16 bytes.", valueName: "text"))
    var sunFileData: String?

    @Option(name: .customLong("meta-key"), help: ArgumentHelp("ntag424: SDM meta read key, 32 hex digits (default zeros).", valueName: "hex"))
    var metaKey: String?

    @Option(name: .customLong("file-key"), help: ArgumentHelp("ntag424: SDM file read key, or the master file key with --system-id (default zeros).", valueName: "hex"))
    var fileKey: String?

    @Option(name: .customLong("system-id"), help: ArgumentHelp("ntag424: diversify the file key per UID with this system identifier (AN10922).", valueName: "hex"))
    var systemID: String?

    @Option(help: ArgumentHelp("ntag424: SDMReadCtr before the first tap (default 0; the first tap serves 1).", valueName: "n"))
    var counter: UInt32?

    // MARK: Payment cards

    @Option(help: ArgumentHelp("visa, mastercard: a Luhn-valid card number.", valueName: "digits"))
    var pan: String?

    @Option(help: ArgumentHelp("visa, mastercard: expiry as YYMM.", valueName: "yymm"))
    var expiry: String?

    @Option(help: ArgumentHelp("visa, mastercard: cardholder name (tag 5F20).", valueName: "name"))
    var cardholder: String?

    @Option(help: ArgumentHelp("visa, mastercard: Payment Account Reference, 29 characters.", valueName: "par"))
    var par: String?

    @Flag(name: .customLong("no-par"), help: "visa, mastercard: send no PAR.")
    var noPAR = false

    // MARK: Hostile card

    @Option(help: ArgumentHelp("hostile: \(HostileCard.Mode.allCases.map(\.rawValue).joined(separator: ", ")) (default nonsense).", valueName: "mode"))
    var mode: String?

    @Option(name: .customLong("delay-ms"), help: ArgumentHelp("hostile --mode slow: milliseconds before each answer (default 2000).", valueName: "ms"))
    var delayMilliseconds: Int?

    @Option(help: ArgumentHelp("hostile --mode nonsense: generator seed.", valueName: "n"))
    var seed: UInt64?

    // MARK: Companion app

    @Option(name: .customLong("device-id"), help: ArgumentHelp("app: the 16-byte device id in hex (default 'PARCOURS-DEVICE1').", valueName: "hex"))
    var deviceID: String?

    @Option(name: .customLong("private-key"), help: ArgumentHelp("app: P-256 private key as 64 hex digits, or a PEM file path (default: a test key derived from the device id).", valueName: "hex|file"))
    var privateKey: String?

    @Option(name: .customLong("app-state"), help: ArgumentHelp("app: ready, not-enrolled, locked or confirmation-required.", valueName: "state"))
    var appState: String?

    // MARK: Building the recipe

    func recipe() throws -> CardRecipe {
        let kind = try SimulatedCardKind(name: kind)
        try refuseOptionsOtherKindsUse(kind)
        var recipe = CardRecipe(kind: kind, uid: try uid.map { text throws(CardSimulatorError) in try decodeHex(text, "--uid") })

        recipe.type2.ndefURI = ndefURI
        recipe.type2.ndefText = ndefText
        recipe.type2.blank = blank
        recipe.type2.locked = locked
        recipe.type2.dataAreaSize = dataArea
        if let variant { try apply(variant: variant, to: &recipe.type2) }

        if let sunURL { recipe.sun.template = sunURL }
        if let sunMACFrom { recipe.sun.macInputStart = try Self.macInputStart(sunMACFrom) }
        recipe.sun.fileData = sunFileData
        if let metaKey { recipe.sun.metaReadKey = try decodeHex(metaKey, "--meta-key") }
        if let fileKey { recipe.sun.fileReadKey = try decodeHex(fileKey, "--file-key") }
        recipe.sun.systemIdentifier = try systemID.map { text throws(CardSimulatorError) in try decodeHex(text, "--system-id") }
        if let counter { recipe.sun.readCounter = counter }

        recipe.payment.pan = pan
        recipe.payment.expiry = expiry
        recipe.payment.cardholderName = cardholder
        recipe.payment.paymentAccountReference = par
        recipe.payment.omitPaymentAccountReference = noPAR

        if let mode {
            guard let parsed = HostileCard.Mode(rawValue: mode) else {
                throw CardSimulatorError(.invalidArgument, "unknown --mode '\(mode)'; modes: \(HostileCard.Mode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            recipe.hostile.mode = parsed
        }
        if let delayMilliseconds {
            guard (0...600_000).contains(delayMilliseconds) else { throw CardSimulatorError(.invalidArgument, "--delay-ms must be 0 to 600000") }
            recipe.hostile.delay = .milliseconds(delayMilliseconds)
        }
        if let seed { recipe.hostile.seed = seed }

        recipe.app.deviceID = try deviceID.map { text throws(CardSimulatorError) in try decodeHex(text, "--device-id") }
        if let privateKey {
            if FileManager.default.fileExists(atPath: privateKey) {
                guard let pem = try? String(contentsOfFile: privateKey, encoding: .utf8) else {
                    throw CardSimulatorError(.invalidArgument, "cannot read the PEM file \(privateKey)")
                }
                recipe.app.privateKeyPEM = pem
            } else {
                recipe.app.privateKey = try decodeHex(privateKey, "--private-key (no such file either)")
            }
        }
        if let appState { recipe.app.state = try Self.appState(appState) }
        return recipe
    }

    /// Options that only another kind uses are mistakes; say so rather than ignore them.
    private func refuseOptionsOtherKindsUse(_ kind: SimulatedCardKind) throws {
        let type2: [SimulatedCardKind] = [.ntag213, .ntag215, .ntag216]
        let groups: [(kinds: [SimulatedCardKind], options: [(String, Bool)])] = [
            (type2, [("--ndef-uri", ndefURI != nil), ("--ndef-text", ndefText != nil), ("--blank", blank), ("--locked", locked),
                     ("--data-area", dataArea != nil), ("--variant", variant != nil)]),
            ([.ntag424], [("--sun-url", sunURL != nil), ("--sun-mac-from", sunMACFrom != nil), ("--sun-file-data", sunFileData != nil),
                          ("--meta-key", metaKey != nil), ("--file-key", fileKey != nil), ("--system-id", systemID != nil),
                          ("--counter", counter != nil)]),
            ([.visa, .mastercard], [("--pan", pan != nil), ("--expiry", expiry != nil), ("--cardholder", cardholder != nil),
                                    ("--par", par != nil), ("--no-par", noPAR)]),
            ([.hostile], [("--mode", mode != nil), ("--delay-ms", delayMilliseconds != nil), ("--seed", seed != nil)]),
            ([.app], [("--device-id", deviceID != nil), ("--private-key", privateKey != nil), ("--app-state", appState != nil)]),
        ]
        for group in groups where !group.kinds.contains(kind) {
            if let (name, _) = group.options.first(where: \.1) {
                let names = group.kinds.map(\.rawValue)
                let kinds = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
                throw CardSimulatorError(.invalidArgument, "\(name) applies to \(kinds), not to \(kind)")
            }
        }
    }

    private func apply(variant: String, to options: inout CardRecipe.Type2Options) throws {
        let conflicting = ndefURI != nil || ndefText != nil || blank || locked || dataArea != nil
        guard !conflicting else { throw CardSimulatorError(.invalidArgument, "--variant sets the tag's content: drop the other NTAG21x options") }
        switch variant {
        case "blank":
            options.blank = true
        case "locked":
            options.locked = true
        case "too-small":
            options.dataAreaSize = 48
        case "foreign-url":
            options.ndefURI = "https://example.org/welcome?ref=not-parcours"
        default:
            throw CardSimulatorError(.invalidArgument, "unknown --variant '\(variant)'; variants: blank, locked, too-small, foreign-url")
        }
    }

    private func decodeHex(_ text: String, _ option: String) throws(CardSimulatorError) -> [UInt8] {
        var bytes: [UInt8] = []
        let digits = Array(text.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: ":") })
        guard digits.count % 2 == 0 else {
            throw CardSimulatorError(.invalidHex, "\(option): '\(text)' has an odd number of hex digits")
        }
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                throw CardSimulatorError(.invalidHex, "\(option): '\(text)' is not hex")
            }
            bytes.append(byte)
        }
        return bytes
    }

    private static func macInputStart(_ text: String) throws -> SUNURLLayout.MACInputStart {
        switch text {
        case "picc": return .component(.piccData)
        case "uid": return .component(.uid)
        case "ctr": return .component(.counter)
        case "file": return .component(.fileData)
        case "mac": return .component(.mac)
        default:
            guard let offset = Int(text), offset >= 0 else {
                throw CardSimulatorError(.invalidArgument, "--sun-mac-from is picc, uid, ctr, file, mac or a byte offset; got '\(text)'")
            }
            return .offset(offset)
        }
    }

    private static func appState(_ text: String) throws -> CompanionAppResponder.State {
        switch text {
        case "ready": .ready
        case "not-enrolled": .notEnrolled
        case "locked": .locked
        case "confirmation-required": .confirmationRequired
        default: throw CardSimulatorError(.invalidArgument, "--app-state is ready, not-enrolled, locked or confirmation-required; got '\(text)'")
        }
    }
}

/// The reader the card goes to.
struct ReaderOptions: ParsableArguments {
    @Option(name: .long, help: "Reader index: 0–3 (0–5 when the rig runs with --extra); port 35963 + index.")
    var reader = 0

    func virtualReader() throws(CardSimulatorError) -> VirtualReader {
        try VirtualReader.index(reader)
    }
}
