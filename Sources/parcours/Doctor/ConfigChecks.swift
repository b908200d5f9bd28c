import ArgumentParser
import Foundation
import ReaderService
import StoreCore
import StoreService

/// The settings `parcours serve` would start with, read the way it reads them, and a line for each source.
struct DoctorSettings: Sendable {
    /// The store service settings file in use (`--service-config`, else `config/store.json` when present).
    var serviceConfigPath: String?
    /// Nil when the settings did not load: the checks that need them are skipped.
    var service: StoreConfiguration?
    var identification: IdentificationDoctoring?

    /// What the test read identifies cards with.
    struct IdentificationDoctoring: Sendable {
        var identifier: TapIdentifier
        /// False when the secrets are not there yet: cards are read for their kind, not their proofs.
        var hasSecrets: Bool
    }
}

enum ConfigChecks {
    /// `config`, `identification` and `rules`. The secrets file is never created here (serve does that on its first
    /// start); without it the test read identifies only what needs no key.
    static func run(_ command: DoctorCommand, environment: [String: String]) -> ([DoctorCheck], DoctorSettings) {
        var settings = DoctorSettings()
        var checks: [DoctorCheck] = []
        let path = command.serviceConfig ?? (FileManager.default.fileExists(atPath: "config/store.json") ? "config/store.json" : nil)
        settings.serviceConfigPath = path
        checks.append(serviceConfiguration(path: path, command: command, environment: environment, into: &settings))
        checks.append(identification(path: command.config, environment: environment, into: &settings))
        checks.append(rules(path: command.store.rules))
        return (checks, settings)
    }

    private static func serviceConfiguration(path: String?, command: DoctorCommand, environment: [String: String],
                                             into settings: inout DoctorSettings) -> DoctorCheck {
        let source = path ?? "no settings file (defaults and PARCOURS_* variables)"
        let configuration: StoreConfiguration
        do {
            configuration = try StoreConfiguration.load(file: path, environment: environment)
            _ = try StoreOptions.offlineAfter()
        } catch let error as ConfigurationError {
            return .fail("config", "\(source): \(error.description)", fix: fix(for: error, file: path))
        } catch let error as ValidationError {
            return .fail("config", error.message, fix: "correct that variable in the service's environment (/etc/parcours/store.env); parcours serve refuses to start until then")
        } catch {
            return .fail("config", "\(source): \(error)", fix: "correct the settings file; parcours serve refuses to start until then")
        }
        settings.service = configuration
        let host = command.host ?? configuration.service.host
        let port = command.port ?? configuration.service.port
        let scheme = configuration.service.tls == nil ? "http" : "https"
        let devices = configuration.deviceReaders.count
        return .ok("config", "\(source): \(scheme)://\(host):\(port), \(devices) device binding\(devices == 1 ? "" : "s")")
    }

    /// The key named, where it lives (the file, or its `PARCOURS_` variable), and what happens until it is fixed.
    static func fix(for error: ConfigurationError, file: String?) -> String {
        if error.key == file {
            return "check the path given to --service-config and that the service's user can read it"
        }
        let variable = environmentName(error.key)
        let place = file.map { "in \($0)" } ?? "in the settings file"
        let override = variable.map { " (or the \($0) variable that overrides it)" } ?? ""
        return "correct \(error.key) \(place)\(override); parcours serve refuses to start until then"
    }

    /// `http.maxBodyBytes` → `PARCOURS_HTTP_MAX_BODY_BYTES`; nil for file-only keys (`devices[0].name`).
    static func environmentName(_ key: String) -> String? {
        guard !key.contains("["), !key.contains("/"), key.contains(".") else { return nil }
        var name = "PARCOURS_"
        for character in key {
            if character == "." { name += "_" } else if character.isUppercase { name += "_" + String(character) } else { name += character.uppercased() }
        }
        return name
    }

    private static func identification(path: String?, environment: [String: String], into settings: inout DoctorSettings) -> DoctorCheck {
        let config: IdentificationConfig
        do {
            config = try IdentificationConfig.load(path: path)
        } catch let error as IdentificationSettingsError {
            return .fail("identification", error.message,
                         fix: "correct \(error.setting) in the identification settings (--config); parcours serve refuses to start until then")
        } catch {
            return .fail("identification", "\(error)", fix: "correct the identification settings (--config)")
        }
        let source = config.source ?? "built-in defaults"
        let secretsFile = environment[IdentificationSecrets.fileVariable] ?? IdentificationSecrets.defaultFile
        let fromFile = IdentificationSecrets.Group.allCases.filter { group in !group.variables.contains { environment[$0] != nil } }
        if !fromFile.isEmpty, !FileManager.default.fileExists(atPath: secretsFile) {
            settings.identification = .init(identifier: TapIdentifier(policy: IdentificationPolicy(storeID: config.storeID),
                                                                      timeout: config.tapTimeout), hasSecrets: false)
            let groups = fromFile.map(\.description).joined(separator: ", ")
            return .warn("identification", "\(source); no \(groups) in the environment and no secrets file at \(secretsFile)",
                         fix: "one store: parcours serve generates \(secretsFile) on its first start. A chain: set the same secrets on every PC in /etc/parcours/store.env (PARCOURS_PAYMENT_TOKEN_SECRET, PARCOURS_LOYALTY_KEYS, PARCOURS_SUN_*), or the same card gets another token in each store")
        }
        do {
            let loaded = try IdentificationSettings(config: config, secrets: IdentificationSecrets.load(environment: environment))
            settings.identification = .init(identifier: try loaded.tapIdentifier(), hasSecrets: true)
            let sources = Set(loaded.secrets.sources.values).sorted().joined(separator: " and ")
            return .ok("identification", "\(source); secrets from \(sources)")
        } catch let error as IdentificationSettingsError {
            return .fail("identification", error.message,
                         fix: "correct \(error.setting) (the message names where it is read from); parcours serve refuses to start until then")
        } catch {
            return .fail("identification", "\(error)", fix: "correct the identification secrets")
        }
    }

    private static func rules(path option: String?) -> DoctorCheck {
        guard let path = option ?? (FileManager.default.fileExists(atPath: "config/loyalty.json") ? "config/loyalty.json" : nil) else {
            return .ok("rules", "no rules file: the built-in loyalty rules")
        }
        do {
            let rules = try LoyaltyRules(contentsOf: URL(fileURLWithPath: path))
            return .ok("rules", "\(path): \(rules.rewards.count) reward\(rules.rewards.count == 1 ? "" : "s")")
        } catch let error as StoreError {
            return .fail("rules", "\(path): \(error.message)", fix: "correct the loyalty rules file (--rules); parcours serve refuses to start until then")
        } catch {
            return .fail("rules", "\(path): \(error)", fix: "correct the loyalty rules file (--rules)")
        }
    }
}
