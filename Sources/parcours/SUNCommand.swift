import ArgumentParser
import CardProtocols
import CardSecurity
import Crypto
import Foundation
import ReaderService

/// `parcours sun …`: NTAG 424 DNA Secure Unique NFC URLs.
struct SUNCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sun",
        abstract: "NTAG 424 DNA Secure Unique NFC (SUN) URLs.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a SUN URL's cryptography; print its UID, counter and file data as JSON.",
            discussion: """
                Decrypts the PICC data with the meta read key, checks the MAC with the tag's file read key and \
                decrypts the file data. This command keeps no counter history between runs, so it checks the \
                cryptography only: a replayed URL of a genuine tag is valid here. The reader service is what \
                rejects counters that do not move forward.

                Keys: --meta-key and --file-key (with --system-id they are master keys, the file key being \
                diversified per tag as in AN10922); otherwise the identification settings: --config FILE (default \
                config/identification.json when present) for the layout, PARCOURS_SUN_* variables or \
                .parcours/secrets.json for the keys.

                Layout: --layout-parameters picc_data,enc,cmac (or picc_data,cmac), or --template URL with {picc} \
                (or {uid} and {ctr}), optional {file} and {mac}; otherwise the settings' SUN layout.

                Prints {"counter":N,"fileData":"HEX","uid":"HEX","verdict":"valid"} and exits 0, or \
                {"reason":"…","verdict":"rejected"} and exits 2.
                """)

        @Argument(help: "The URL the tag served.")
        var url: String

        @Option(help: "SDM meta read key (decrypts the PICC data), 32 hex digits.")
        var metaKey: String?

        @Option(help: "SDM file read key (MAC and file data), 32 hex digits.")
        var fileKey: String?

        @Option(name: .customLong("system-id"), help: "AN10922 system identifier, hex: --meta-key/--file-key are then master keys.")
        var systemID: String?

        @Option(help: "Identification settings JSON for the SUN layout and keys.")
        var config: String?

        @Option(help: "The query parameter names: picc_data,enc,cmac (with encrypted file data) or picc_data,cmac.")
        var layoutParameters: String?

        @Option(help: "The URL template the tag was programmed with, e.g. 'https://shop.example/t?p={picc}&m={mac}'.")
        var template: String?

        @Option(help: "With --template: plaintext bytes behind {file} (a multiple of 16).")
        var fileDataLength: Int?

        @Option(help: "With --template: where the MAC input starts: picc, uid, ctr, file, mac or a character offset (default file when the template has {file}, else mac).")
        var macFrom: String?

        func validate() throws {
            guard (metaKey == nil) == (fileKey == nil) else {
                throw ValidationError("give both --meta-key and --file-key, or neither")
            }
            if metaKey != nil, config != nil {
                throw ValidationError("give keys either with --meta-key/--file-key or through --config, not both")
            }
            if systemID != nil, metaKey == nil {
                throw ValidationError("--system-id goes with --meta-key and --file-key (the master keys)")
            }
            if layoutParameters != nil, template != nil {
                throw ValidationError("give the layout either as --layout-parameters or as --template, not both")
            }
            if template == nil, fileDataLength != nil || macFrom != nil {
                throw ValidationError("--file-data-length and --mac-from go with --template")
            }
        }

        func run() async throws {
            let keys: SUNKeys
            let settingsLayout: SUNURLLayout
            if let metaKey, let fileKey {
                let meta = try Self.aesKey(metaKey, option: "--meta-key")
                let file = try Self.aesKey(fileKey, option: "--file-key")
                if let systemID {
                    guard let bytes = Self.hex(systemID), (1...SUNKeys.maximumSystemIdentifierLength).contains(bytes.count) else {
                        throw ValidationError("--system-id must be 1–\(SUNKeys.maximumSystemIdentifierLength) bytes of hex")
                    }
                    keys = .diversified(masterMetaKey: meta, masterFileKey: file, systemIdentifier: bytes)
                } else {
                    keys = .fixed(metaReadKey: meta, fileReadKey: file)
                }
                settingsLayout = try IdentificationConfig.load(path: nil).sunLayout
            } else {
                let settings = try IdentificationSettings.load(configPath: config)
                keys = settings.secrets.sunKeys
                settingsLayout = settings.config.sunLayout
            }
            let verifier = try SUNVerifier(layout: try layout() ?? settingsLayout, keys: keys, counterStore: InMemorySUNCounterStore())
            let verdict = verifier.verdict(url: url)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(verdict), as: UTF8.self))
            if !verdict.isValid { throw ExitCode(2) }
        }

        /// The layout the options describe, nil when they describe none.
        private func layout() throws -> SUNURLLayout? {
            if let layoutParameters {
                let names = layoutParameters.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                do {
                    switch names.count {
                    case 2: return try .queryParameters(piccData: names[0], mac: names[1])
                    case 3: return try .queryParameters(piccData: names[0], fileData: names[1], mac: names[2])
                    default: throw ValidationError("--layout-parameters is picc,file,mac or picc,mac names, got \(names.count) names")
                    }
                } catch let error as CardProtocolError {
                    throw ValidationError("--layout-parameters: \(error.message)")
                }
            }
            guard let template else { return nil }
            let start: SUNURLLayout.MACInputStart
            switch macFrom {
            case nil: start = .component(template.contains("{file}") ? .fileData : .mac)
            case "picc": start = .component(.piccData)
            case "uid": start = .component(.uid)
            case "ctr": start = .component(.counter)
            case "file": start = .component(.fileData)
            case "mac": start = .component(.mac)
            case let text?:
                guard let offset = Int(text), offset >= 0 else {
                    throw ValidationError("--mac-from is picc, uid, ctr, file, mac or a character offset, got \(text)")
                }
                start = .offset(offset)
            }
            do {
                return try SUNURLTemplate(template, macInputStart: start, fileDataLength: fileDataLength ?? 0).layout
            } catch let error as CardProtocolError {
                throw ValidationError("--template: \(error.message)")
            }
        }

        private static func aesKey(_ text: String, option: String) throws -> SymmetricKey {
            guard let bytes = hex(text), bytes.count == 16 else {
                throw ValidationError("\(option) must be 16 bytes of hex (32 hex digits), got \(hex(text).map { "\($0.count) bytes" } ?? "something that is not hex")")
            }
            return SymmetricKey(data: bytes)
        }

        private static func hex(_ text: String) -> [UInt8]? {
            let digits = Array(text.utf8)
            guard digits.count % 2 == 0, digits.allSatisfy({ UInt8(ascii: "0") <= $0 && $0 <= UInt8(ascii: "9") || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0 | 0x20) })
            else { return nil }
            var bytes: [UInt8] = []
            for index in stride(from: 0, to: digits.count, by: 2) {
                guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(byte)
            }
            return bytes
        }
    }
}
