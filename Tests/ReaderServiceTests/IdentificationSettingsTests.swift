import CardProtocols
import CardSecurity
import Crypto
import Foundation
import ReaderService
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh directory per test, removed afterwards.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-settings-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }
}

/// Every secret group set in the environment, with known values.
enum KnownSecrets {
    static let payment = String(repeating: "5a", count: 32)
    static let loyaltyK1 = String(repeating: "11", count: 32)
    static let loyaltyK2 = String(repeating: "22", count: 32)
    static let sunMeta = String(repeating: "00", count: 16)
    static let sunFile = String(repeating: "00", count: 16)

    static var environment: [String: String] {
        [
            "PARCOURS_PAYMENT_TOKEN_SECRET": payment,
            "PARCOURS_LOYALTY_KEYS": "k1:\(loyaltyK1),k2:\(loyaltyK2)",
            "PARCOURS_LOYALTY_KEY_CURRENT": "k2",
            "PARCOURS_SUN_META_KEY": sunMeta,
            "PARCOURS_SUN_FILE_KEY": sunFile,
        ]
    }

    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
    }
}

@Suite("Identification settings: config file, environment secrets, the local secrets file")
struct IdentificationSettingsTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    // MARK: Config

    @Test("no config file: the built-in defaults")
    func builtInDefaults() throws {
        let directory = try TemporaryDirectory()
        let config = try IdentificationConfig.load(path: nil, defaultPath: directory.file("absent.json"))
        #expect(config.source == nil)
        #expect(config.storeID == "store")
        #expect(config.loyaltyCardHosts == ["parcours.example"])
        #expect(config.sunLayout == (try SUNURLLayout.queryParameters(piccData: "picc_data", mac: "cmac")))
        #expect(config.terminalCountryCode == 250)
        #expect(config.terminalCurrencyCode == 978)
        #expect(config.tapTimeout == .seconds(3))
        #expect(config.devices.isEmpty)
    }

    @Test("the default config file is used when it exists; an explicit path that does not exist is an error")
    func defaultPathAndMissingFile() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("identification.json", #"{"storeID": "paris-01"}"#)
        #expect(try IdentificationConfig.load(path: nil, defaultPath: path).storeID == "paris-01")
        #expect(try IdentificationConfig.load(path: nil, defaultPath: path).source == path)
        let error = try #require(throws: IdentificationSettingsError.self) {
            try IdentificationConfig.load(path: directory.file("nope.json"))
        }
        #expect(error.message.contains("nope.json"))
    }

    @Test("every key of a config file is read")
    func fullConfig() throws {
        let deviceKey = P256.Signing.PrivateKey().publicKey
        let deviceID = String(repeating: "AB", count: 16)
        let json = """
            {
              "//": "comment",
              "storeID": "lyon-02",
              "loyaltyCardHosts": ["Cards.Parcours.Example", "parcours.example"],
              "sun": {"parameters": {"piccData": "e", "fileData": "f", "mac": "m"}},
              "terminalCountryCode": 56,
              "terminalCurrencyCode": 978,
              "tapTimeoutSeconds": 2.5,
              "devices": [{"id": "\(deviceID)", "publicKey": "\(deviceKey.x963Representation.map { String(format: "%02x", $0) }.joined())", "name": "till phone"}]
            }
            """
        let config = try IdentificationConfig(json: Data(json.utf8), source: "test.json")
        #expect(config.storeID == "lyon-02")
        #expect(config.loyaltyCardHosts == ["cards.parcours.example", "parcours.example"])
        #expect(config.sunLayout == (try SUNURLLayout.queryParameters(piccData: "e", fileData: "f", mac: "m")))
        #expect(config.terminalCountryCode == 56)
        #expect(config.tapTimeout == .milliseconds(2500))
        let id = try AppDeviceID(hex: deviceID)
        #expect(config.devices[id]?.x963Representation == deviceKey.x963Representation)
        #expect(config.devices.count == 1)
    }

    @Test("the SUN layout as a SUNURLLayout object and as a template")
    func sunLayoutForms() throws {
        let layout = try SUNURLLayout(
            picc: .encrypted(.parameter("p")), fileData: .init(location: .parameter("d")), mac: .parameter("c"),
            macInputStart: .component(.fileData))
        let encoded = String(decoding: try JSONEncoder().encode(layout), as: UTF8.self)
        let fromLayout = try IdentificationConfig(json: Data(#"{"sun": {"layout": \#(encoded)}}"#.utf8), source: "layout.json")
        #expect(fromLayout.sunLayout == layout)

        let template = #"{"sun": {"template": {"text": "https://t.example/x?p={picc}&m={mac}", "macInputStart": {"component": {"_0": "mac"}}}}}"#
        let fromTemplate = try IdentificationConfig(json: Data(template.utf8), source: "template.json")
        let expected = try SUNURLTemplate("https://t.example/x?p={picc}&m={mac}", macInputStart: .component(.mac)).layout
        #expect(fromTemplate.sunLayout == expected)

        let both = #"{"sun": {"template": {"text": "https://t.example/x?p={picc}&m={mac}", "macInputStart": {"component": {"_0": "mac"}}}, "parameters": {"piccData": "a", "mac": "b"}}}"#
        let error = try #require(throws: IdentificationSettingsError.self) {
            try IdentificationConfig(json: Data(both.utf8), source: "both.json")
        }
        #expect(error.setting == "sun")
    }

    @Test("config/identification.example.json loads, and its documented alternatives are valid")
    func exampleConfig() throws {
        let path = Self.repositoryRoot.appendingPathComponent("config/identification.example.json").path
        let config = try IdentificationConfig.load(path: path)
        #expect(config.loyaltyCardHosts.contains("parcours.example"))
        #expect(config.devices.count >= 1)

        // The example documents the other two SUN forms under "//layout" and "//template": the same tag URL,
        // once as offsets and once as a template. Both must load and agree.
        let data = try #require(FileManager.default.contents(atPath: path))
        var top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sun = try #require(top["sun"] as? [String: Any])
        var layouts: [SUNURLLayout] = []
        for alternative in ["layout", "template"] {
            let value = try #require(sun["//" + alternative], "the example documents sun.\(alternative)")
            top["sun"] = [alternative: value]
            let variant = try IdentificationConfig(json: try JSONSerialization.data(withJSONObject: top), source: "example-\(alternative)")
            layouts.append(variant.sunLayout)
        }
        let template = try SUNURLTemplate(
            "https://parcours.example/t?picc_data={picc}&enc={file}&cmac={mac}", macInputStart: .component(.fileData), fileDataLength: 16)
        #expect(layouts == [template.layout, template.layout])
        #expect(layouts[0] != config.sunLayout)
    }

    @Test("config errors name the key and the problem",
          arguments: [
            (#"{"storeId": "x"}"#, "storeId", "unknown key storeId"),
            (#"{"sun": {"params": {}}}"#, "sun.params", "unknown key sun.params"),
            (#"{"loyaltyCardHosts": []}"#, "loyaltyCardHosts", "at least one host"),
            (#"{"loyaltyCardHosts": ["not a host"]}"#, "loyaltyCardHosts", "must be a DNS name"),
            (#"{"terminalCountryCode": "250"}"#, "terminalCountryCode", "must be a number"),
            (#"{"terminalCurrencyCode": 4217}"#, "terminalCurrencyCode", "1–999"),
            (#"{"tapTimeoutSeconds": 0}"#, "tapTimeoutSeconds", "between 0.1 and 60"),
            (#"{"devices": [{"id": "00", "publicKey": "04"}]}"#, "devices[0].id", "16 bytes"),
            (#"{"devices": [{"id": "000102030405060708090A0B0C0D0E0F", "publicKey": "0411"}]}"#, "devices[0].publicKey", "X9.63"),
            (#"{"sun": {"parameters": {"piccData": "x", "mac": "x"}}}"#, "sun.parameters", "used for two fields"),
            (#"{"sun": {"layout": {"mac": {"parameter": {"_0": "m"}}}}}"#, "sun.layout.picc", "missing"),
            (#"["not", "an", "object"]"#, "bad.json", "JSON object"),
            (#"{"storeID": "a b"}"#, "storeID", "A-Z"),
          ])
    func configErrors(json: String, setting: String, fragment: String) throws {
        let error = try #require(throws: IdentificationSettingsError.self) {
            try IdentificationConfig(json: Data(json.utf8), source: "bad.json")
        }
        #expect(error.setting == setting, "\(error.message)")
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(error.message.contains("bad.json"), "\(error.message)")
    }

    // MARK: Secrets from the environment

    @Test("secrets from the environment: no secrets file is created, and the keys are the ones given")
    func environmentSecrets() throws {
        let directory = try TemporaryDirectory()
        let secretsPath = directory.file("secrets/secrets.json")
        let settings = try IdentificationSettings.load(
            configPath: nil, defaultConfigPath: directory.file("none.json"), environment: KnownSecrets.environment,
            secretsFile: secretsPath)
        #expect(!FileManager.default.fileExists(atPath: secretsPath))
        #expect(settings.secrets.sources == [.paymentTokens: "environment", .loyaltyCards: "environment", .sunTags: "environment"])

        // The loyalty keyring signs with k2 and still knows k1: check against an independent keyring.
        let keyring = settings.secrets.loyaltyKeyring
        #expect(keyring.currentKeyID == "k2")
        #expect(keyring.keyIDs == ["k1", "k2"])
        let uid: [UInt8] = [0x04, 1, 2, 3, 4, 5, 6]
        let signer = settings.loyaltyCardSigner()
        let cardID = signer.makeCardID()
        let url = try signer.makeCardURL(host: "parcours.example", cardID: cardID, uid: uid)
        let independent = try LoyaltyCardVerifier(
            keyring: LoyaltyCardKeyring(keys: ["k2": SymmetricKey(data: KnownSecrets.bytes(KnownSecrets.loyaltyK2))], currentKeyID: "k2"),
            hosts: ["parcours.example"])
        #expect(try independent.verify(uri: url, uid: uid) == cardID)

        // Zero SUN keys: the AN12196 vector verifies.
        let verdict = try settings.sunVerifier().verdict(
            url: "https://example.com/?picc_data=EF963FF7828658A599F3041510671E88&cmac=94EED9EE65337086")
        #expect(verdict == SUNVerdict(verdict: "valid", uid: "04DE5F1EACC040", counter: 61))

        // The payment secret is the one given: same token as an independent HMAC.
        #expect(settings.secrets.paymentTokenSecret.withUnsafeBytes { Array($0) } == KnownSecrets.bytes(KnownSecrets.payment))
        #expect(!"\(settings.secrets)".contains(KnownSecrets.loyaltyK2))
        #expect(!"\(settings.secrets)".contains(KnownSecrets.payment))
    }

    @Test("diversified SUN keys from PARCOURS_SUN_MASTER_*")
    func diversifiedSUNKeys() throws {
        var environment = KnownSecrets.environment
        environment["PARCOURS_SUN_META_KEY"] = nil
        environment["PARCOURS_SUN_FILE_KEY"] = nil
        environment["PARCOURS_SUN_MASTER_META_KEY"] = String(repeating: "01", count: 16)
        environment["PARCOURS_SUN_MASTER_FILE_KEY"] = String(repeating: "02", count: 16)
        environment["PARCOURS_SUN_SYSTEM_ID"] = "4E585020416275"
        let secrets = try IdentificationSecrets.load(environment: environment, secretsFile: "/nonexistent/never-created.json")
        guard case .diversified(let meta, _, let system) = secrets.sunKeys else {
            Issue.record("expected diversified keys, got \(secrets.sunKeys)")
            return
        }
        #expect(meta.withUnsafeBytes { Array($0) } == [UInt8](repeating: 1, count: 16))
        #expect(system == [0x4E, 0x58, 0x50, 0x20, 0x41, 0x62, 0x75])
    }

    @Test("one key in PARCOURS_LOYALTY_KEYS needs no PARCOURS_LOYALTY_KEY_CURRENT")
    func singleLoyaltyKey() throws {
        var environment = KnownSecrets.environment
        environment["PARCOURS_LOYALTY_KEYS"] = "prod1:\(KnownSecrets.loyaltyK1)"
        environment["PARCOURS_LOYALTY_KEY_CURRENT"] = nil
        let secrets = try IdentificationSecrets.load(environment: environment, secretsFile: "/nonexistent/never-created.json")
        #expect(secrets.loyaltyKeyring.currentKeyID == "prod1")
    }

    @Test("invalid environment values stop with the variable's name and the problem, never the value",
          arguments: [
            ("PARCOURS_PAYMENT_TOKEN_SECRET", String(repeating: "ab", count: 12), "PARCOURS_PAYMENT_TOKEN_SECRET must be at least 32 bytes of hex, got 12"),
            ("PARCOURS_PAYMENT_TOKEN_SECRET", String(repeating: "ab", count: 31) + "zz", "found a non-hex character at position 63"),
            ("PARCOURS_PAYMENT_TOKEN_SECRET", String(repeating: "ab", count: 32) + "a", "odd number of hex digits (65)"),
            ("PARCOURS_PAYMENT_TOKEN_SECRET", "", "PARCOURS_PAYMENT_TOKEN_SECRET is set but empty"),
            ("PARCOURS_LOYALTY_KEYS", "k1" + KnownSecrets.loyaltyK1, "entry 1 must be id:hex"),
            ("PARCOURS_LOYALTY_KEYS", "k1:\(KnownSecrets.loyaltyK1),k2:abcd", "PARCOURS_LOYALTY_KEYS key k2 must be at least 32 bytes of hex, got 2"),
            ("PARCOURS_LOYALTY_KEYS", "k1:\(KnownSecrets.loyaltyK1),k1:\(KnownSecrets.loyaltyK2)", "lists key id k1 twice"),
            ("PARCOURS_LOYALTY_KEYS", "too-long-id:\(KnownSecrets.loyaltyK1)", "key id must be 1–8 characters"),
            ("PARCOURS_LOYALTY_KEY_CURRENT", "k9", "names key id k9, which is not in PARCOURS_LOYALTY_KEYS (k1, k2)"),
            ("PARCOURS_SUN_META_KEY", String(repeating: "00", count: 8), "PARCOURS_SUN_META_KEY must be exactly 16 bytes of hex, got 8"),
            ("PARCOURS_SUN_MASTER_FILE_KEY", String(repeating: "00", count: 16), "not both"),
          ])
    func invalidEnvironment(variable: String, value: String, expected: String) throws {
        var environment = KnownSecrets.environment
        environment[variable] = value
        let error = try #require(throws: IdentificationSettingsError.self) {
            try IdentificationSecrets.load(environment: environment, secretsFile: "/nonexistent/never-created.json")
        }
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(error.message.hasPrefix("PARCOURS_") || error.message.hasPrefix("set either"), "\(error.message)")
        if value.count >= 16 {
            #expect(!error.message.contains(value), "the message repeats the secret")
        }
    }

    @Test("a group is missing a variable: the message says which and how to fix it")
    func missingVariables() throws {
        var environment = KnownSecrets.environment
        environment["PARCOURS_LOYALTY_KEY_CURRENT"] = nil
        let noCurrent = try #require(throws: IdentificationSettingsError.self) {
            try IdentificationSecrets.load(environment: environment, secretsFile: "/nonexistent/x.json")
        }
        #expect(noCurrent.setting == "PARCOURS_LOYALTY_KEY_CURRENT")
        #expect(noCurrent.message.contains("with 2 keys"))

        environment = KnownSecrets.environment
        environment["PARCOURS_SUN_FILE_KEY"] = nil
        let noFileKey = try #require(throws: IdentificationSettingsError.self) {
            try IdentificationSecrets.load(environment: environment, secretsFile: "/nonexistent/x.json")
        }
        #expect(noFileKey.setting == "PARCOURS_SUN_FILE_KEY")
        #expect(noFileKey.message.contains("missing"))

        environment = KnownSecrets.environment
        environment["PARCOURS_SUN_META_KEY"] = nil
        environment["PARCOURS_SUN_FILE_KEY"] = nil
        environment["PARCOURS_SUN_MASTER_META_KEY"] = String(repeating: "01", count: 16)
        environment["PARCOURS_SUN_MASTER_FILE_KEY"] = String(repeating: "02", count: 16)
        let noSystemID = try #require(throws: IdentificationSettingsError.self) {
            try IdentificationSecrets.load(environment: environment, secretsFile: "/nonexistent/x.json")
        }
        #expect(noSystemID.setting == "PARCOURS_SUN_SYSTEM_ID")
    }

    // MARK: The secrets file

    @Test("with no secrets in the environment the secrets file is created once (mode 0600) and reused")
    func secretsFileCreatedOnceAndReused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file(".parcours/secrets.json")
        let environment = ["PARCOURS_SECRETS_FILE": path]

        let first = try IdentificationSecrets.load(environment: environment)
        #expect(FileManager.default.fileExists(atPath: path))
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(first.sources == [.paymentTokens: path, .loyaltyCards: path, .sunTags: path])
        let content = try #require(FileManager.default.contents(atPath: path))
        let object = try #require(try JSONSerialization.jsonObject(with: content) as? [String: String])
        for variable in ["PARCOURS_PAYMENT_TOKEN_SECRET", "PARCOURS_LOYALTY_KEYS", "PARCOURS_LOYALTY_KEY_CURRENT", "PARCOURS_SUN_META_KEY", "PARCOURS_SUN_FILE_KEY"] {
            #expect(object[variable]?.isEmpty == false, "\(variable) missing from the generated file")
        }

        let second = try IdentificationSecrets.load(environment: environment)
        #expect(FileManager.default.contents(atPath: path) == content, "the file was rewritten")
        #expect(second.loyaltyKeyring.currentKeyID == first.loyaltyKeyring.currentKeyID)
        let uid: [UInt8] = [0x04, 9, 8, 7, 6, 5, 4]
        let cardID = LoyaltyCardSigner(keyring: first.loyaltyKeyring).makeCardID()
        let url = try LoyaltyCardSigner(keyring: first.loyaltyKeyring).makeCardURL(host: "parcours.example", cardID: cardID, uid: uid)
        #expect(try LoyaltyCardVerifier(keyring: second.loyaltyKeyring, hosts: ["parcours.example"]).verify(uri: url, uid: uid) == cardID)
        #expect(first.paymentTokenSecret.withUnsafeBytes { Array($0) } == second.paymentTokenSecret.withUnsafeBytes { Array($0) })
        #expect(first.sunKeys.metaReadKey.withUnsafeBytes { Array($0) } == second.sunKeys.metaReadKey.withUnsafeBytes { Array($0) })

        // Random, not a constant: another machine (another file) gets other keys.
        let other = try IdentificationSecrets.load(environment: ["PARCOURS_SECRETS_FILE": directory.file("other/secrets.json")])
        #expect(other.paymentTokenSecret.withUnsafeBytes { Array($0) } != first.paymentTokenSecret.withUnsafeBytes { Array($0) })
        #expect(other.loyaltyKeyring.currentKeyID != first.loyaltyKeyring.currentKeyID
            || other.loyaltyKeyring.key(for: other.loyaltyKeyring.currentKeyID)!.withUnsafeBytes { Array($0) }
                != first.loyaltyKeyring.key(for: first.loyaltyKeyring.currentKeyID)!.withUnsafeBytes { Array($0) })
    }

    @Test("an environment group overrides the file's group; the other groups still come from the file")
    func environmentOverridesFileGroup() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("secrets.json")
        let fromFile = try IdentificationSecrets.load(environment: [:], secretsFile: path)
        let mixed = try IdentificationSecrets.load(
            environment: ["PARCOURS_PAYMENT_TOKEN_SECRET": KnownSecrets.payment], secretsFile: path)
        #expect(mixed.sources[.paymentTokens] == "environment")
        #expect(mixed.sources[.loyaltyCards] == path)
        #expect(mixed.paymentTokenSecret.withUnsafeBytes { Array($0) } == KnownSecrets.bytes(KnownSecrets.payment))
        #expect(mixed.loyaltyKeyring.currentKeyID == fromFile.loyaltyKeyring.currentKeyID)
    }

    @Test("concurrent first uses agree on one secrets file")
    func concurrentFirstUse() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("race/secrets.json")
        let keyIDs = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let secrets = try IdentificationSecrets.load(environment: [:], secretsFile: path)
                    return secrets.paymentTokenSecret.withUnsafeBytes { Array($0) }
                }
            }
            var all: [[UInt8]] = []
            for try await secret in group { all.append(secret) }
            return all
        }
        #expect(keyIDs.count == 8)
        #expect(Set(keyIDs).count == 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.file("race"))
        #expect(leftovers == ["secrets.json"], "temporary files were left behind")
    }

    @Test("a secrets file others can read is refused; a broken one names the problem")
    func secretsFileProblems() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("secrets.json")
        _ = try IdentificationSecrets.load(environment: [:], secretsFile: path)
        #expect(chmod(path, 0o644) == 0)
        let loose = try #require(throws: IdentificationSettingsError.self) {
            try IdentificationSecrets.load(environment: [:], secretsFile: path)
        }
        #expect(loose.message.contains("chmod 600"), "\(loose.message)")

        let broken = try directory.write("broken.json", #"{"PARCOURS_PAYMENT_TOKEN_SECRET": "abcd"}"#)
        #expect(chmod(broken, 0o600) == 0)
        let short = try #require(throws: IdentificationSettingsError.self) {
            try IdentificationSecrets.load(environment: [:], secretsFile: broken)
        }
        #expect(short.message == "PARCOURS_PAYMENT_TOKEN_SECRET in \(broken) must be at least 32 bytes of hex, got 2")

        let unknown = try directory.write("unknown.json", #"{"PARCOURS_PAYMENT_SECRET": "abcd"}"#)
        #expect(chmod(unknown, 0o600) == 0)
        let misspelt = try #require(throws: IdentificationSettingsError.self) {
            try IdentificationSecrets.load(environment: [:], secretsFile: unknown)
        }
        #expect(misspelt.message.contains("unknown key PARCOURS_PAYMENT_SECRET"))
    }

    // MARK: The policy

    @Test("the policy carries every proof, the store, the terminal codes, the timeout and the registered devices")
    func policyFromSettings() async throws {
        let registered = P256.Signing.PrivateKey().publicKey
        let id = try AppDeviceID(hex: String(repeating: "0F", count: 16))
        var config = IdentificationConfig()
        config.storeID = "nantes-3"
        config.terminalCountryCode = 56
        config.tapTimeout = .milliseconds(1500)
        config.devices = [id: registered]
        let secrets = try IdentificationSecrets.load(environment: KnownSecrets.environment, secretsFile: "/nonexistent/x.json")
        let settings = IdentificationSettings(config: config, secrets: secrets)
        let identifier = try settings.tapIdentifier()
        #expect(identifier.timeout == .milliseconds(1500))
        let policy = identifier.policy
        #expect(policy.storeID == "nantes-3")
        #expect(policy.terminalCountryCode == 56)
        #expect(policy.loyaltyCards?.keyring.currentKeyID == "k2")
        #expect(policy.loyaltyCards?.hosts == ["parcours.example"])
        #expect(policy.sunTags?.layout == config.sunLayout)
        #expect(policy.paymentTokens != nil)
        #expect(try await policy.appDeviceKeys(id)?.x963Representation == registered.x963Representation)
        #expect(try await policy.appDeviceKeys(try AppDeviceID(hex: String(repeating: "0E", count: 16))) == nil)
    }
}
