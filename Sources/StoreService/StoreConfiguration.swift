import Configuration
import Foundation

/// A configuration value that stops start-up: the message names the key and the problem.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var key: String
    public var problem: String

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "invalid configuration: \(key): \(problem)" }
}

/// The store service's configuration: `config/store.json` (optional), overridden by `PARCOURS_*` environment
/// variables (`http.port` ← `PARCOURS_HTTP_PORT`), read through swift-configuration.
///
/// Keys (all optional; the defaults are the embedded ones):
/// - `store.id`, `store.name`
/// - `http.host` (127.0.0.1), `http.port` (8080, 1–65535), `http.maxBodyBytes` (65536, 1024–1048576)
/// - `staff.sessionMinutes` (240, 1–1440), or `staff.sessionSeconds` (5–86400, for tests and demos; not both)
/// - `kiosk.idleTimeoutSeconds` (45, 5–3600)
/// - `kiosk.languages` (["fr", "en"]): the languages the kiosk and till offer, in order; the first is the fallback.
///   Environment: a comma-separated list (`PARCOURS_KIOSK_LANGUAGES=en,fr`).
/// - `tls.certificate`, `tls.key`: PEM files; both set, the service speaks HTTPS and WSS only.
/// - `devices`: `[{"name", "reader"}]`, the reader each enrolled device owns.
public struct StoreConfiguration: Sendable, Equatable {
    public var storeId: String?
    public var storeName: String?
    public var service: StoreServiceSettings
    /// Which reader each enrolled device owns (`"devices": [{"name": "Entrance kiosk", "reader": "…"}]`), applied
    /// at start-up by ``DeviceReaderBindings``. File only: a list has no environment form.
    public var deviceReaders: [DeviceReader] = []

    public struct DeviceReader: Sendable, Equatable {
        public var name: String
        public var reader: String

        public init(name: String, reader: String) {
            self.name = name
            self.reader = reader
        }
    }

    static let knownKeys: Set<String> = [
        "store.id", "store.name", "http.host", "http.port", "http.maxBodyBytes", "staff.sessionMinutes",
        "staff.sessionSeconds", "kiosk.idleTimeoutSeconds", "kiosk.languages", "tls.certificate", "tls.key",
    ]
    /// The keys whose value is a list of strings (every other key holds a single value).
    static let listKeys: Set<String> = ["kiosk.languages"]

    /// - Parameters:
    ///   - file: a JSON file; nil means none. A file named but missing is an error (a typo must not mean defaults).
    ///   - environment: the process environment (injectable for tests).
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StoreConfiguration {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "parcours"),
        ]
        var deviceReaders: [DeviceReader] = []
        if let file {
            let parsed = try fileValues(file)
            providers.append(InMemoryProvider(name: file, values: parsed.values))
            deviceReaders = parsed.devices
        }
        var configuration = try StoreConfiguration(reader: ConfigReader(providers: providers))
        configuration.deviceReaders = deviceReaders
        return configuration
    }

    init(reader: ConfigReader) throws {
        let settings = Settings(reader)
        storeId = try settings.string("store.id")
        storeName = try settings.string("store.name")
        let defaults = StoreServiceSettings()
        service = StoreServiceSettings(
            host: try settings.string("http.host") ?? defaults.host,
            port: try settings.int("http.port", in: 1...65535) ?? defaults.port,
            maximumBodyBytes: try settings.int("http.maxBodyBytes", in: 1024...1_048_576) ?? defaults.maximumBodyBytes,
            staffSessionLifetime: try Self.staffSessionLifetime(settings) ?? defaults.staffSessionLifetime,
            tapIdleTimeout: try settings.int("kiosk.idleTimeoutSeconds", in: 5...3600).map(TimeInterval.init)
                ?? defaults.tapIdleTimeout,
            frontLanguages: try Self.frontLanguages(settings) ?? defaults.frontLanguages)
        switch (try settings.string("tls.certificate"), try settings.string("tls.key")) {
        case (nil, nil):
            break
        case (let certificate?, let key?):
            service.tls = .init(certificatePath: certificate, keyPath: key)
            _ = try service.tls?.serverConfiguration()
        case (nil, _?):
            throw ConfigurationError(key: "tls.certificate", problem: "required with tls.key (both PEM files, or neither)")
        case (_?, nil):
            throw ConfigurationError(key: "tls.key", problem: "required with tls.certificate (both PEM files, or neither)")
        }
        if let id = storeId, id.isEmpty || id.count > 64 || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            throw ConfigurationError(key: "store.id", problem: "1 to 64 letters, digits, dashes or underscores, got \"\(id)\"")
        }
        if service.host.isEmpty { throw ConfigurationError(key: "http.host", problem: "must not be empty") }
    }

    /// `staff.sessionMinutes`, or `staff.sessionSeconds` for a session short enough to watch expire (the browser
    /// test of the till's expiry); both set would leave it unclear which one the store meant.
    private static func staffSessionLifetime(_ settings: Settings) throws -> TimeInterval? {
        let minutes = try settings.int("staff.sessionMinutes", in: 1...1440)
        let seconds = try settings.int("staff.sessionSeconds", in: 5...86400)
        if minutes != nil, seconds != nil {
            throw ConfigurationError(key: "staff.sessionSeconds", problem: "set staff.sessionMinutes or staff.sessionSeconds, not both")
        }
        return seconds.map(TimeInterval.init) ?? minutes.map { TimeInterval($0 * 60) }
    }

    /// `kiosk.languages`: at least one, each a language the fronts have strings for, each once.
    private static func frontLanguages(_ settings: Settings) throws -> [String]? {
        let key = "kiosk.languages"
        guard let languages = try settings.stringList(key) else { return nil }
        let known = StoreServiceSettings.translatedLanguages
        let knownList = known.joined(separator: ", ")
        guard !languages.isEmpty else {
            throw ConfigurationError(key: key, problem: "must list at least one language (known: \(knownList))")
        }
        for (index, language) in languages.enumerated() {
            guard known.contains(language) else {
                throw ConfigurationError(key: key, problem: "unknown language \"\(language)\": the fronts have strings for \(knownList) only")
            }
            if languages[..<index].contains(language) {
                throw ConfigurationError(key: key, problem: "\(language) is listed twice")
            }
        }
        return languages
    }

    /// Typed reads that tell "absent" (nil) from "present but wrong" (an error naming the key): the reader's
    /// optional getters return nil for both.
    private struct Settings {
        let reader: ConfigReader
        init(_ reader: ConfigReader) { self.reader = reader }

        func isPresent(_ key: String) -> Bool {
            let configKey = ConfigKey(key)
            return reader.string(forKey: configKey) != nil || reader.int(forKey: configKey) != nil
                || reader.double(forKey: configKey) != nil || reader.bool(forKey: configKey) != nil
                || reader.stringArray(forKey: configKey) != nil
        }

        /// A list: a JSON array of strings in the file, comma-separated in the environment.
        func stringList(_ key: String) throws -> [String]? {
            if let value = reader.stringArray(forKey: ConfigKey(key)) { return value }
            guard !isPresent(key) else { throw ConfigurationError(key: key, problem: "expected a list of strings") }
            return nil
        }

        func string(_ key: String) throws -> String? {
            if let value = reader.string(forKey: ConfigKey(key)) { return value }
            guard !isPresent(key) else { throw ConfigurationError(key: key, problem: "expected a string") }
            return nil
        }

        func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let value = reader.int(forKey: ConfigKey(key)) else {
                guard !isPresent(key) else {
                    throw ConfigurationError(key: key, problem: "expected a whole number between \(range.lowerBound) and \(range.upperBound)")
                }
                return nil
            }
            guard range.contains(value) else {
                throw ConfigurationError(key: key, problem: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            }
            return value
        }
    }

    /// The JSON file, flattened to dotted keys. Unknown keys are refused, so that a misspelt key is not ignored;
    /// keys starting with `//` are comments.
    static func fileValues(_ path: String) throws -> (values: [AbsoluteConfigKey: ConfigValue], devices: [DeviceReader]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: path, problem: "the configuration file cannot be read")
        }
        guard case .object(let root)? = try? JSONDecoder().decode(JSONNode.self, from: data) else {
            throw ConfigurationError(key: path, problem: "not a JSON object")
        }
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        var devices: [DeviceReader] = []
        func flatten(_ object: [String: JSONNode], prefix: [String]) throws {
            // Keys starting with `//` are comments, as in the identification settings.
            for (name, node) in object where !name.hasPrefix("//") {
                let components = prefix + [name]
                let key = components.joined(separator: ".")
                if key == "devices" {
                    devices = try deviceList(node)
                    continue
                }
                let content: ConfigContent
                switch node {
                case .object(let nested):
                    try flatten(nested, prefix: components)
                    continue
                case .bool(let value): content = .bool(value)
                case .int(let value): content = .int(value)
                case .double(let value): content = .double(value)
                case .string(let value): content = .string(value)
                case .array(let items) where listKeys.contains(key):
                    content = .stringArray(try items.map { item in
                        guard case .string(let value) = item else {
                            throw ConfigurationError(key: key, problem: "expected a list of strings")
                        }
                        return value
                    })
                case .array, .other:
                    guard !listKeys.contains(key) else { throw ConfigurationError(key: key, problem: "expected a list of strings") }
                    throw ConfigurationError(key: key, problem: "expected a string, a number or true/false")
                }
                guard knownKeys.contains(key) else { throw ConfigurationError(key: key, problem: "unknown key") }
                values[AbsoluteConfigKey(components)] = ConfigValue(content, isSecret: false)
            }
        }
        try flatten(root, prefix: [])
        return (values, devices)
    }

    /// `[{"name": …, "reader": …}, …]`: each device named once, each reader owned by one device.
    static func deviceList(_ node: JSONNode) throws -> [DeviceReader] {
        guard case .array(let items) = node else {
            throw ConfigurationError(key: "devices", problem: #"expected a list of {"name": …, "reader": …}"#)
        }
        var list: [DeviceReader] = []
        for (index, item) in items.enumerated() {
            let key = "devices[\(index)]"
            guard case .object(let fields) = item else {
                throw ConfigurationError(key: key, problem: #"expected {"name": …, "reader": …}"#)
            }
            if fields.keys.allSatisfy({ $0.hasPrefix("//") }) { continue }  // a comment entry
            if let unknown = fields.keys.filter({ !["name", "reader"].contains($0) && !$0.hasPrefix("//") }).sorted().first {
                throw ConfigurationError(key: "\(key).\(unknown)", problem: "unknown key")
            }
            guard case .string(let name)? = fields["name"], !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigurationError(key: "\(key).name", problem: "the name of an enrolled device (parcours device list)")
            }
            guard case .string(let reader)? = fields["reader"], !reader.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigurationError(key: "\(key).reader", problem: "a PC/SC reader name (parcours readers --once)")
            }
            if list.contains(where: { $0.name == name }) {
                throw ConfigurationError(key: "\(key).name", problem: "\(name) is listed twice")
            }
            if let owner = list.first(where: { $0.reader == reader }) {
                throw ConfigurationError(key: "\(key).reader", problem: "\(reader) already belongs to \(owner.name): one device per reader")
            }
            list.append(DeviceReader(name: name, reader: reader))
        }
        return list
    }
}

/// Just enough JSON to flatten a configuration file, keeping integers apart from decimals and booleans.
enum JSONNode: Decodable {
    case object([String: JSONNode])
    case array([JSONNode])
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([String: JSONNode].self) { self = .object(value) }
        else if let value = try? container.decode([JSONNode].self) { self = .array(value) }
        else { self = .other }
    }
}
