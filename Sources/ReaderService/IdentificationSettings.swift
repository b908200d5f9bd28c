import CardProtocols
import CardSecurity
import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Where the reader side gets what `IdentificationPolicy` needs.
//
// Non-secret settings come from a JSON file (`config/identification.json`, see
// `config/identification.example.json`); secrets never do. Secrets come from the environment, group by group,
// and any group the environment does not set comes from a local secrets file (`.parcours/secrets.json`,
// git-ignored), which is generated with random keys, mode 0600, the first time it is needed.

/// A setting that is missing or wrong, named, with what is wrong. Never holds a secret's value.
public struct IdentificationSettingsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The setting: an environment variable name, a config key path (`sun.layout`), or a file.
    public let setting: String
    public let message: String

    public init(setting: String, _ message: String) {
        self.setting = setting
        self.message = message
    }

    public var description: String { message }
}

// MARK: - Non-secret settings

/// The non-secret identification settings: store, card hosts, SUN URL layout, EMV terminal data, tap timeout,
/// registered companion-app devices.
public struct IdentificationConfig: Sendable {
    public static let defaultPath = "config/identification.json"
    public static let defaultLoyaltyCardHosts = ["parcours.example"]

    public var storeID = "store"
    /// Lower-case DNS names; the first is the one new cards get unless told otherwise.
    public var loyaltyCardHosts = Self.defaultLoyaltyCardHosts
    public var sunLayout: SUNURLLayout
    /// ISO 3166-1 numeric country and ISO 4217 numeric currency the EMV terminal data announce.
    public var terminalCountryCode = 250
    public var terminalCurrencyCode = 978
    public var tapTimeout = TapIdentifier.defaultTimeout
    /// Registered companion-app devices and their P-256 public keys.
    public var devices: [AppDeviceID: P256.Signing.PublicKey] = [:]
    /// The file these settings were read from; nil for the built-in defaults.
    public var source: String?

    /// The built-in defaults. The SUN layout is the card simulator's default URL,
    /// `…?picc_data=<32 hex>&cmac=<16 hex>` with an empty MAC input.
    public init() {
        // Two distinct, non-empty parameter names: this layout is valid, so `try!` cannot trap.
        sunLayout = try! SUNURLLayout.queryParameters(piccData: "picc_data", mac: "cmac")
    }

    /// Reads `path`; with no path, `config/identification.json` when it exists, else the built-in defaults.
    ///
    /// - Throws: ``IdentificationSettingsError`` for a missing file that was asked for by name, JSON that does
    ///   not parse, unknown keys (keys starting with `//` are comments) and invalid values.
    public static func load(path: String?, defaultPath: String = Self.defaultPath) throws -> IdentificationConfig {
        let chosen = path ?? (FileManager.default.fileExists(atPath: defaultPath) ? defaultPath : nil)
        guard let chosen else { return IdentificationConfig() }
        guard let data = FileManager.default.contents(atPath: chosen) else {
            throw IdentificationSettingsError(setting: chosen, "identification config \(chosen) cannot be read (does it exist?)")
        }
        return try IdentificationConfig(json: data, source: chosen)
    }

    /// Parses a config file's content; `source` names it in error messages.
    public init(json data: Data, source: String) throws {
        self.init()
        self.source = source
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw IdentificationSettingsError(setting: source, "\(source) is not valid JSON: \(error.localizedDescription)")
        }
        guard let top = object as? [String: Any] else {
            throw IdentificationSettingsError(setting: source, "\(source) must hold a JSON object")
        }
        try ConfigKeys.check(top, allowed: ConfigKeys.top, at: "", in: source)
        if let sun = top["sun"] as? [String: Any] {
            try ConfigKeys.check(sun, allowed: ConfigKeys.sun, at: "sun.", in: source)
            if let parameters = sun["parameters"] as? [String: Any] {
                try ConfigKeys.check(parameters, allowed: ConfigKeys.sunParameters, at: "sun.parameters.", in: source)
            }
        }
        if let devices = top["devices"] as? [Any] {
            for (index, device) in devices.enumerated() {
                if let device = device as? [String: Any] {
                    try ConfigKeys.check(device, allowed: ConfigKeys.device, at: "devices[\(index)].", in: source)
                }
            }
        }

        let file: ConfigFile
        do {
            file = try JSONDecoder().decode(ConfigFile.self, from: data)
        } catch let error as DecodingError {
            throw ConfigKeys.describe(error, in: source)
        }
        try apply(file, source: source)
    }

    private mutating func apply(_ file: ConfigFile, source: String) throws {
        if let storeID = file.storeID {
            let valid = (1...64).contains(storeID.utf8.count)
                && storeID.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || "-_.".utf8.contains($0) }
            guard valid else {
                throw IdentificationSettingsError(
                    setting: "storeID", "storeID in \(source) must be 1–64 characters of A-Z, a-z, 0-9, '-', '_', '.'")
            }
            self.storeID = storeID
        }
        if let hosts = file.loyaltyCardHosts {
            guard !hosts.isEmpty else {
                throw IdentificationSettingsError(setting: "loyaltyCardHosts", "loyaltyCardHosts in \(source) must list at least one host")
            }
            var normalized: [String] = []
            for host in hosts {
                do {
                    // Checked as the verifier and the signer check hosts; the throwaway keyring only satisfies
                    // the initialiser.
                    _ = try LoyaltyCardVerifier(
                        keyring: LoyaltyCardKeyring(keys: ["check": SymmetricKey(size: .bits256)], currentKeyID: "check"),
                        hosts: [host])
                } catch let error as CardSecurityError {
                    throw IdentificationSettingsError(setting: "loyaltyCardHosts", "loyaltyCardHosts in \(source): \(error.message)")
                }
                let lowered = host.lowercased()
                if !normalized.contains(lowered) { normalized.append(lowered) }
            }
            loyaltyCardHosts = normalized
        }
        if let sun = file.sun {
            let given = [sun.parameters != nil, sun.layout != nil, sun.template != nil].filter { $0 }.count
            guard given == 1 else {
                throw IdentificationSettingsError(
                    setting: "sun", "sun in \(source) must have exactly one of parameters, layout or template, found \(given)")
            }
            if let parameters = sun.parameters {
                do {
                    sunLayout = try .queryParameters(piccData: parameters.piccData, fileData: parameters.fileData, mac: parameters.mac)
                } catch let error as CardProtocolError {
                    throw IdentificationSettingsError(setting: "sun.parameters", "sun.parameters in \(source): \(error.message)")
                }
            } else if let layout = sun.layout {
                sunLayout = layout
            } else if let template = sun.template {
                sunLayout = template.layout
            }
        }
        if let country = file.terminalCountryCode {
            guard (1...999).contains(country) else {
                throw IdentificationSettingsError(
                    setting: "terminalCountryCode", "terminalCountryCode in \(source) must be an ISO 3166-1 numeric code (1–999), got \(country)")
            }
            terminalCountryCode = country
        }
        if let currency = file.terminalCurrencyCode {
            guard (1...999).contains(currency) else {
                throw IdentificationSettingsError(
                    setting: "terminalCurrencyCode", "terminalCurrencyCode in \(source) must be an ISO 4217 numeric code (1–999), got \(currency)")
            }
            terminalCurrencyCode = currency
        }
        if let seconds = file.tapTimeoutSeconds {
            guard seconds.isFinite, (0.1...60).contains(seconds) else {
                throw IdentificationSettingsError(
                    setting: "tapTimeoutSeconds", "tapTimeoutSeconds in \(source) must be between 0.1 and 60, got \(seconds)")
            }
            tapTimeout = .milliseconds(Int((seconds * 1000).rounded()))
        }
        if let devices = file.devices {
            var keys: [AppDeviceID: P256.Signing.PublicKey] = [:]
            for (index, device) in devices.enumerated() {
                let place = "devices[\(index)] in \(source)"
                let id: AppDeviceID
                do {
                    id = try AppDeviceID(hex: device.id)
                } catch let error as CardSecurityError {
                    throw IdentificationSettingsError(setting: "devices[\(index)].id", "\(place): id: \(error.message) (32 hex digits)")
                }
                guard let bytes = SecretHex.decode(device.publicKey) else {
                    throw IdentificationSettingsError(setting: "devices[\(index)].publicKey", "\(place): publicKey must be hex")
                }
                guard let key = try? P256.Signing.PublicKey(x963Representation: bytes) else {
                    throw IdentificationSettingsError(
                        setting: "devices[\(index)].publicKey",
                        "\(place): publicKey must be a P-256 point in X9.63 form (65 bytes starting 04), got \(bytes.count) bytes that are not one")
                }
                guard keys.updateValue(key, forKey: id) == nil else {
                    throw IdentificationSettingsError(setting: "devices[\(index)].id", "\(place): device \(id) is listed twice")
                }
            }
            self.devices = keys
        }
    }
}

/// The config file as JSON. Every field optional: what is absent keeps its built-in default.
private struct ConfigFile: Decodable {
    var storeID: String?
    var loyaltyCardHosts: [String]?
    var sun: SUN?
    var terminalCountryCode: Int?
    var terminalCurrencyCode: Int?
    var tapTimeoutSeconds: Double?
    var devices: [Device]?

    struct SUN: Decodable {
        var parameters: Parameters?
        var layout: SUNURLLayout?
        var template: SUNURLTemplate?

        struct Parameters: Decodable {
            var piccData: String
            var fileData: String?
            var mac: String
        }
    }

    struct Device: Decodable {
        var id: String
        var publicKey: String
        var name: String?
    }
}

private enum ConfigKeys {
    static let top: Set<String> = [
        "storeID", "loyaltyCardHosts", "sun", "terminalCountryCode", "terminalCurrencyCode", "tapTimeoutSeconds", "devices",
    ]
    static let sun: Set<String> = ["parameters", "layout", "template"]
    static let sunParameters: Set<String> = ["piccData", "fileData", "mac"]
    static let device: Set<String> = ["id", "publicKey", "name"]

    /// Unknown keys are refused (a misspelt key would silently keep a default); `//…` keys are comments.
    static func check(_ object: [String: Any], allowed: Set<String>, at path: String, in source: String) throws {
        for key in object.keys.sorted() where !key.hasPrefix("//") && !allowed.contains(key) {
            throw IdentificationSettingsError(
                setting: path + key,
                "unknown key \(path)\(key) in \(source); known keys: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    static func describe(_ error: DecodingError, in source: String) -> IdentificationSettingsError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .typeMismatch(let type, let context):
            let at = path(context.codingPath)
            return IdentificationSettingsError(setting: at, "\(at) in \(source) must be \(typeName(type))")
        case .valueNotFound(let type, let context):
            let at = path(context.codingPath)
            return IdentificationSettingsError(setting: at, "\(at) in \(source) must be \(typeName(type)), found null")
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath + [key])
            return IdentificationSettingsError(setting: at, "\(at) is missing in \(source)")
        case .dataCorrupted(let context):
            let at = path(context.codingPath)
            let underlying = (context.underlyingError as? CardProtocolError)?.message ?? context.debugDescription
            return IdentificationSettingsError(setting: at, "\(at.isEmpty ? "" : "\(at) in ")\(source): \(underlying)")
        @unknown default:
            return IdentificationSettingsError(setting: source, "\(source): \(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is [Any].Type: "a list"
        default: "a \(type)"
        }
    }
}

// MARK: - Secrets

/// The identification secrets, from the environment or the local secrets file. Never printed: `description`
/// names only where each group came from.
public struct IdentificationSecrets: Sendable, CustomStringConvertible {
    public static let defaultFile = ".parcours/secrets.json"
    /// Overrides the secrets file path.
    public static let fileVariable = "PARCOURS_SECRETS_FILE"

    /// The secrets that are loaded and replaced together: an environment variable of a group takes the whole
    /// group from the environment, so the file and the environment are never mixed inside one group.
    public enum Group: String, Sendable, CaseIterable, CustomStringConvertible {
        case paymentTokens
        case loyaltyCards
        case sunTags

        public var variables: [String] {
            switch self {
            case .paymentTokens: [Variable.paymentTokenSecret]
            case .loyaltyCards: [Variable.loyaltyKeys, Variable.loyaltyKeyCurrent]
            case .sunTags:
                [Variable.sunMetaKey, Variable.sunFileKey, Variable.sunMasterMetaKey, Variable.sunMasterFileKey, Variable.sunSystemID]
            }
        }

        public var description: String {
            switch self {
            case .paymentTokens: "payment-token secret"
            case .loyaltyCards: "loyalty card keys"
            case .sunTags: "SUN keys"
            }
        }
    }

    public enum Variable {
        public static let paymentTokenSecret = "PARCOURS_PAYMENT_TOKEN_SECRET"
        public static let loyaltyKeys = "PARCOURS_LOYALTY_KEYS"
        public static let loyaltyKeyCurrent = "PARCOURS_LOYALTY_KEY_CURRENT"
        public static let sunMetaKey = "PARCOURS_SUN_META_KEY"
        public static let sunFileKey = "PARCOURS_SUN_FILE_KEY"
        public static let sunMasterMetaKey = "PARCOURS_SUN_MASTER_META_KEY"
        public static let sunMasterFileKey = "PARCOURS_SUN_MASTER_FILE_KEY"
        public static let sunSystemID = "PARCOURS_SUN_SYSTEM_ID"
    }

    public let paymentTokenSecret: SymmetricKey
    public let loyaltyKeyring: LoyaltyCardKeyring
    public let sunKeys: SUNKeys
    /// Where each group came from: `environment` or the secrets file's path.
    public let sources: [Group: String]

    public init(paymentTokenSecret: SymmetricKey, loyaltyKeyring: LoyaltyCardKeyring, sunKeys: SUNKeys, sources: [Group: String] = [:]) {
        self.paymentTokenSecret = paymentTokenSecret
        self.loyaltyKeyring = loyaltyKeyring
        self.sunKeys = sunKeys
        self.sources = sources
    }

    public var description: String {
        let parts = Group.allCases.map { "\($0) from \(sources[$0] ?? "code")" }
        return "identification secrets (\(parts.joined(separator: ", ")); loyalty key ids \(loyaltyKeyring.keyIDs.sorted().joined(separator: ", ")), current \(loyaltyKeyring.currentKeyID))"
    }

    /// Each group from `environment` when any of its variables is set there, otherwise from the secrets file
    /// (`PARCOURS_SECRETS_FILE`, default `.parcours/secrets.json`), which is created with random keys when it
    /// does not exist yet. The file is not touched when the environment sets every group.
    ///
    /// - Throws: ``IdentificationSettingsError`` naming the variable and the problem; messages hold lengths
    ///   and positions, never values.
    public static func load(environment: [String: String], secretsFile: String? = nil) throws -> IdentificationSecrets {
        let path = secretsFile ?? environment[fileVariable] ?? defaultFile
        var file: SecretsFile?
        func source(for group: Group) throws -> SecretSource {
            if group.variables.contains(where: { environment[$0] != nil }) {
                return SecretSource(values: environment, name: "environment", suffix: "")
            }
            if file == nil { file = try SecretsFile.loadOrCreate(path: path) }
            return SecretSource(values: file?.values ?? [:], name: path, suffix: " in \(path)")
        }
        let payment = try source(for: .paymentTokens)
        let loyalty = try source(for: .loyaltyCards)
        let sun = try source(for: .sunTags)
        return IdentificationSecrets(
            paymentTokenSecret: try payment.paymentTokenSecret(),
            loyaltyKeyring: try loyalty.loyaltyKeyring(),
            sunKeys: try sun.sunKeys(),
            sources: [.paymentTokens: payment.name, .loyaltyCards: loyalty.name, .sunTags: sun.name])
    }
}

/// Variables by name, from the environment or the secrets file, and their parsers.
private struct SecretSource {
    let values: [String: String]
    /// `environment` or the file path.
    let name: String
    /// Appended to the variable name in messages: "" or " in .parcours/secrets.json".
    let suffix: String
    typealias Variable = IdentificationSecrets.Variable

    func value(_ variable: String) throws -> String? {
        guard let value = values[variable] else { return nil }
        guard !value.isEmpty else {
            throw IdentificationSettingsError(setting: variable, "\(variable)\(suffix) is set but empty")
        }
        return value
    }

    func required(_ variable: String, _ what: String) throws -> String {
        guard let value = try value(variable) else {
            let fix = name == "environment" ? "set it too" : "add it to \(name) or set the group in the environment"
            throw IdentificationSettingsError(setting: variable, "\(variable)\(suffix) is missing (\(what)); \(fix)")
        }
        return value
    }

    func paymentTokenSecret() throws -> SymmetricKey {
        let text = try required(Variable.paymentTokenSecret, "the payment-token HMAC secret, at least 32 bytes of hex")
        let bytes = try SecretHex.bytes(text, named: Variable.paymentTokenSecret + suffix, minimum: PaymentTokenizer.minimumSecretLength)
        return SymmetricKey(data: bytes)
    }

    func loyaltyKeyring() throws -> LoyaltyCardKeyring {
        let list = try required(Variable.loyaltyKeys, "loyalty card HMAC keys as id:hex,id:hex")
        let name = Variable.loyaltyKeys + suffix
        var keys: [String: SymmetricKey] = [:]
        var order: [String] = []
        for (index, entry) in list.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let entry = entry.trimmingCharacters(in: .whitespaces)
            guard let colon = entry.firstIndex(of: ":") else {
                throw IdentificationSettingsError(
                    setting: Variable.loyaltyKeys, "\(name) entry \(index + 1) must be id:hex (key id, colon, key in hex)")
            }
            let keyID = String(entry[..<colon])
            let validID = (1...LoyaltyCardKeyring.maximumKeyIDLength).contains(keyID.utf8.count)
                && keyID.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
            guard validID else {
                throw IdentificationSettingsError(
                    setting: Variable.loyaltyKeys,
                    "\(name) entry \(index + 1): the key id must be 1–\(LoyaltyCardKeyring.maximumKeyIDLength) characters of A-Z, a-z, 0-9, got \(keyID.utf8.count) characters")
            }
            let bytes = try SecretHex.bytes(
                String(entry[entry.index(after: colon)...]), named: "\(name) key \(keyID)",
                minimum: LoyaltyCardKeyring.minimumKeyLength, setting: Variable.loyaltyKeys)
            guard keys.updateValue(SymmetricKey(data: bytes), forKey: keyID) == nil else {
                throw IdentificationSettingsError(setting: Variable.loyaltyKeys, "\(name) lists key id \(keyID) twice")
            }
            order.append(keyID)
        }
        let current: String
        if let named = try value(Variable.loyaltyKeyCurrent) {
            guard keys[named] != nil else {
                throw IdentificationSettingsError(
                    setting: Variable.loyaltyKeyCurrent,
                    "\(Variable.loyaltyKeyCurrent)\(suffix) names key id \(named.prefix(16)), which is not in \(Variable.loyaltyKeys) (\(order.joined(separator: ", ")))")
            }
            current = named
        } else if order.count == 1 {
            current = order[0]
        } else {
            throw IdentificationSettingsError(
                setting: Variable.loyaltyKeyCurrent,
                "\(Variable.loyaltyKeyCurrent)\(suffix) is missing: with \(order.count) keys in \(Variable.loyaltyKeys), say which one signs new cards")
        }
        do {
            return try LoyaltyCardKeyring(keys: keys, currentKeyID: current)
        } catch let error as CardSecurityError {
            throw IdentificationSettingsError(setting: Variable.loyaltyKeys, "\(name): \(error.message)")
        }
    }

    func sunKeys() throws -> SUNKeys {
        let fixed = [Variable.sunMetaKey, Variable.sunFileKey]
        let master = [Variable.sunMasterMetaKey, Variable.sunMasterFileKey, Variable.sunSystemID]
        let fixedSet = fixed.filter { values[$0] != nil }
        let masterSet = master.filter { values[$0] != nil }
        if !fixedSet.isEmpty && !masterSet.isEmpty {
            throw IdentificationSettingsError(
                setting: (fixedSet + masterSet)[0],
                "set either \(fixed.joined(separator: " and ")) or \(master.joined(separator: ", ")), not both (found \((fixedSet + masterSet).joined(separator: ", "))\(suffix))")
        }
        if !masterSet.isEmpty {
            let metaKey = try aesKey(Variable.sunMasterMetaKey, "the SDM meta read key every tag shares")
            let fileKey = try aesKey(Variable.sunMasterFileKey, "the master key the per-tag SDM file read keys are diversified from")
            let systemText = try required(Variable.sunSystemID, "the AN10922 system identifier, hex")
            let systemID = try SecretHex.bytes(systemText, named: Variable.sunSystemID + suffix, minimum: 1)
            guard systemID.count <= SUNKeys.maximumSystemIdentifierLength else {
                throw IdentificationSettingsError(
                    setting: Variable.sunSystemID,
                    "\(Variable.sunSystemID)\(suffix) must be at most \(SUNKeys.maximumSystemIdentifierLength) bytes of hex, got \(systemID.count)")
            }
            return .diversified(masterMetaKey: metaKey, masterFileKey: fileKey, systemIdentifier: systemID)
        }
        return .fixed(
            metaReadKey: try aesKey(Variable.sunMetaKey, "the SDM meta read key, 16 bytes of hex"),
            fileReadKey: try aesKey(Variable.sunFileKey, "the SDM file read key, 16 bytes of hex"))
    }

    private func aesKey(_ variable: String, _ what: String) throws -> SymmetricKey {
        let text = try required(variable, what)
        return SymmetricKey(data: try SecretHex.bytes(text, named: variable + suffix, exactly: 16))
    }
}

/// Hex parsing whose errors never repeat the text they were given.
enum SecretHex {
    static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// - Parameters:
    ///   - name: how the value is named in messages (`PARCOURS_SUN_META_KEY in .parcours/secrets.json`).
    ///   - setting: the setting reported in the error; the first word of `name` by default.
    static func bytes(
        _ text: String, named name: String, minimum: Int? = nil, exactly: Int? = nil, setting: String? = nil
    ) throws -> [UInt8] {
        let setting = setting ?? String(name.prefix { $0 != " " })
        let requirement = exactly.map { "exactly \($0) bytes of hex" } ?? "at least \(minimum ?? 1) bytes of hex"
        let digits = Array(text.utf8)
        if let bad = digits.firstIndex(where: { nibble($0) == nil }) {
            throw IdentificationSettingsError(
                setting: setting, "\(name) must be \(requirement), found a non-hex character at position \(bad + 1)")
        }
        guard digits.count % 2 == 0 else {
            throw IdentificationSettingsError(
                setting: setting, "\(name) must be \(requirement), got an odd number of hex digits (\(digits.count))")
        }
        let bytes = decode(text) ?? []
        if let exactly, bytes.count != exactly {
            throw IdentificationSettingsError(setting: setting, "\(name) must be \(requirement), got \(bytes.count)")
        }
        if let minimum, bytes.count < minimum {
            throw IdentificationSettingsError(setting: setting, "\(name) must be \(requirement), got \(bytes.count)")
        }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// `.parcours/secrets.json`: the same variable names as the environment, as one JSON object of strings.
struct SecretsFile {
    let values: [String: String]

    static let knownVariables: Set<String> = Set(IdentificationSecrets.Group.allCases.flatMap(\.variables))

    /// Reads the file, or creates it with fresh random keys when it does not exist. Creation is atomic (a
    /// complete file appears under its name or nothing does), and when two processes race, both end up with
    /// the one file that won.
    static func loadOrCreate(path: String) throws -> SecretsFile {
        if let existing = try read(path: path) { return existing }
        try create(path: path, values: generate())
        guard let created = try read(path: path) else {
            throw IdentificationSettingsError(setting: path, "secrets file \(path) vanished right after it was created")
        }
        return created
    }

    /// Fresh random secrets for every group: what `make run` works with on a new machine.
    static func generate() -> [String: String] {
        func random(_ count: Int) -> String {
            var generator = SystemRandomNumberGenerator()
            return SecretHex.encode((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        // A key id of its own, so cards signed on this machine are told apart from the chain's ("unknown key").
        let keyID = "loc" + random(2)
        typealias Variable = IdentificationSecrets.Variable
        return [
            "//": "Local secrets generated by parcours on first use. Never commit or share this file. "
                + "Environment variables (PARCOURS_*) replace a whole group: payment token, loyalty keys, SUN keys.",
            Variable.paymentTokenSecret: random(32),
            Variable.loyaltyKeys: "\(keyID):\(random(32))",
            Variable.loyaltyKeyCurrent: keyID,
            Variable.sunMetaKey: random(16),
            Variable.sunFileKey: random(16),
        ]
    }

    /// nil when the file does not exist.
    static func read(path: String) throws -> SecretsFile? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { return nil }
            throw IdentificationSettingsError(setting: path, "secrets file \(path) cannot be examined: \(String(cString: strerror(errno)))")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw IdentificationSettingsError(
                setting: path,
                "secrets file \(path) is accessible to other users (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IdentificationSettingsError(setting: path, "secrets file \(path) cannot be read")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dictionary = object as? [String: Any] else {
            throw IdentificationSettingsError(setting: path, "secrets file \(path) must be a JSON object of strings")
        }
        var values: [String: String] = [:]
        for (key, value) in dictionary where !key.hasPrefix("//") {
            guard knownVariables.contains(key) else {
                throw IdentificationSettingsError(
                    setting: key, "unknown key \(key.prefix(40)) in secrets file \(path); known: \(knownVariables.sorted().joined(separator: ", "))")
            }
            guard let text = value as? String else {
                throw IdentificationSettingsError(setting: key, "\(key) in \(path) must be a string")
            }
            values[key] = text
        }
        return SecretsFile(values: values)
    }

    /// Writes a private temporary file and links it into place: `link` fails if the name exists, so a file
    /// another process created first is kept, never replaced.
    static func create(path: String, values: [String: String]) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw IdentificationSettingsError(setting: path, "cannot create \(directory) for the secrets file: \(error.localizedDescription)")
            }
        }
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: values, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + Data("\n".utf8)
        } catch {
            throw IdentificationSettingsError(setting: path, "cannot encode the secrets file: \(error.localizedDescription)")
        }
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw IdentificationSettingsError(setting: path, "cannot create the secrets file \(path): \(String(cString: strerror(errno)))")
        }
        defer { unlink(temporary) }
        let written = data.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress, buffer.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == data.count, synced == 0 else {
            throw IdentificationSettingsError(setting: path, "cannot write the secrets file \(path): \(String(cString: strerror(errno)))")
        }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw IdentificationSettingsError(setting: path, "cannot create the secrets file \(path): \(String(cString: strerror(errno)))")
        }
    }
}

// MARK: - Settings

/// Everything the reader side needs to identify taps and issue cards: the config and the secrets.
public struct IdentificationSettings: Sendable {
    public var config: IdentificationConfig
    public var secrets: IdentificationSecrets

    public init(config: IdentificationConfig, secrets: IdentificationSecrets) {
        self.config = config
        self.secrets = secrets
    }

    /// The config (`configPath`, else `config/identification.json` if present, else built-in defaults) and the
    /// secrets (environment, else the secrets file, created on first use).
    public static func load(
        configPath: String? = nil,
        defaultConfigPath: String = IdentificationConfig.defaultPath,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        secretsFile: String? = nil
    ) throws -> IdentificationSettings {
        let config = try IdentificationConfig.load(path: configPath, defaultPath: defaultConfigPath)
        let secrets = try IdentificationSecrets.load(environment: environment, secretsFile: secretsFile)
        return IdentificationSettings(config: config, secrets: secrets)
    }

    public func loyaltyCardSigner() -> LoyaltyCardSigner {
        LoyaltyCardSigner(keyring: secrets.loyaltyKeyring)
    }

    public func loyaltyCardVerifier() throws -> LoyaltyCardVerifier {
        try LoyaltyCardVerifier(keyring: secrets.loyaltyKeyring, hosts: Set(config.loyaltyCardHosts))
    }

    /// - Parameter counterStore: the SUN read counters; in memory by default, which only protects one process.
    public func sunVerifier(counterStore: any SUNCounterStore = InMemorySUNCounterStore()) throws -> SUNVerifier {
        try SUNVerifier(layout: config.sunLayout, keys: secrets.sunKeys, counterStore: counterStore)
    }

    public func policy(sunCounters: any SUNCounterStore = InMemorySUNCounterStore()) throws -> IdentificationPolicy {
        let devices = config.devices
        return IdentificationPolicy(
            storeID: config.storeID,
            loyaltyCards: try loyaltyCardVerifier(),
            sunTags: try sunVerifier(counterStore: sunCounters),
            paymentTokens: try PaymentTokenizer(secret: secrets.paymentTokenSecret),
            appDeviceKeys: { devices[$0] },
            terminalCountryCode: config.terminalCountryCode,
            terminalCurrencyCode: config.terminalCurrencyCode)
    }

    public func tapIdentifier(sunCounters: any SUNCounterStore = InMemorySUNCounterStore()) throws -> TapIdentifier {
        TapIdentifier(policy: try policy(sunCounters: sunCounters), timeout: config.tapTimeout)
    }
}

// MARK: - SUN URL check

/// The verdict on one SUN URL, as `parcours sun verify` prints it.
public struct SUNVerdict: Sendable, Hashable, Codable {
    public var verdict: String
    public var uid: String?
    public var counter: UInt32?
    /// The decrypted file data, hex, when the layout mirrors it.
    public var fileData: String?
    public var reason: String?

    public init(verdict: String, uid: String? = nil, counter: UInt32? = nil, fileData: String? = nil, reason: String? = nil) {
        self.verdict = verdict
        self.uid = uid
        self.counter = counter
        self.fileData = fileData
        self.reason = reason
    }

    public var isValid: Bool { verdict == "valid" }

    public static func valid(_ verification: SUNVerification) -> SUNVerdict {
        SUNVerdict(
            verdict: "valid", uid: verification.uid.map { String(format: "%02X", $0) }.joined(),
            counter: verification.counter, fileData: verification.fileData.map { $0.map { String(format: "%02X", $0) }.joined() })
    }

    public static func rejected(_ reason: String) -> SUNVerdict {
        SUNVerdict(verdict: "rejected", reason: reason)
    }
}

extension SUNVerifier {
    /// Checks the cryptography of `url` (PICC data, MAC, file data), not its counter: with no counter history,
    /// an old URL of a genuine tag is valid here. Never throws: a bad URL is a rejected verdict.
    public func verdict(url: String) -> SUNVerdict {
        do {
            return .valid(try authenticate(url: url))
        } catch let error as CardSecurityError {
            return .rejected(error.message)
        } catch let error as CardProtocolError {
            return .rejected(error.message)
        } catch {
            return .rejected("\(error)")
        }
    }
}
