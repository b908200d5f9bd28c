import CardProtocols
import CardSecurity
import Crypto
import Foundation
import ReaderService
import Testing

/// `parcours sun verify`: the verdict type, and the built command itself.
@Suite("SUN URL verification verdicts and the parcours sun verify command")
struct SUNVerifyTests {
    static let an12196 = "https://example.com/?picc_data=EF963FF7828658A599F3041510671E88&cmac=94EED9EE65337086"
    static let an12196Tampered = "https://example.com/?picc_data=EF963FF7828658A599F3041510671E88&cmac=94EED9EE65337087"
    static let zeroKey = String(repeating: "0", count: 32)
    static let zeroKeys = SUNKeys.fixed(
        metaReadKey: SymmetricKey(data: [UInt8](repeating: 0, count: 16)), fileReadKey: SymmetricKey(data: [UInt8](repeating: 0, count: 16)))

    @Test("the AN12196 vector is valid (UID 04DE5F1EACC040, counter 61); one MAC bit off is rejected")
    func verdicts() throws {
        let verifier = try SUNVerifier(
            layout: try .queryParameters(piccData: "picc_data", mac: "cmac"), keys: Self.zeroKeys, counterStore: InMemorySUNCounterStore())
        let valid = verifier.verdict(url: Self.an12196)
        #expect(valid == SUNVerdict(verdict: "valid", uid: "04DE5F1EACC040", counter: 61))
        #expect(valid.isValid)
        let rejected = verifier.verdict(url: Self.an12196Tampered)
        #expect(!rejected.isValid)
        #expect(rejected.verdict == "rejected")
        #expect(rejected.reason?.contains("MAC mismatch") == true)
        #expect(rejected.uid == nil && rejected.counter == nil)
        let missing = verifier.verdict(url: "https://example.com/?picc_data=EF963FF7828658A599F3041510671E88")
        #expect(missing.reason == "SUN URL: parameter cmac missing")
        // No counter history: the same URL twice is valid twice.
        #expect(verifier.verdict(url: Self.an12196).isValid)
    }

    // MARK: The command

    /// The `parcours` executable next to the test bundle, when it was built.
    static let executable: String? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("parcours").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    struct Run {
        let status: Int32
        let output: String
        let errors: String
        var json: [String: Any] {
            ((try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any]) ?? [:]
        }
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(executable))
        process.arguments = arguments
        var base = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PARCOURS_") }
        base.merge(environment) { $1 }
        process.environment = base
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self))
    }

    @Test("sun verify with zero keys: the AN12196 URL is valid, the altered one rejected with status 2",
          .enabled(if: executable != nil, "the parcours executable was not built"))
    func commandVector() throws {
        let directory = try TemporaryDirectory()
        let valid = try Self.run(["sun", "verify", Self.an12196, "--meta-key", Self.zeroKey, "--file-key", Self.zeroKey], directory: directory.path)
        #expect(valid.status == 0, "\(valid.errors)")
        #expect(valid.json["uid"] as? String == "04DE5F1EACC040")
        #expect(valid.json["counter"] as? Int == 61)
        #expect(valid.json["verdict"] as? String == "valid")
        #expect(valid.json["fileData"] == nil)

        let rejected = try Self.run(
            ["sun", "verify", Self.an12196Tampered, "--meta-key", Self.zeroKey, "--file-key", Self.zeroKey], directory: directory.path)
        #expect(rejected.status == 2)
        #expect(rejected.json["verdict"] as? String == "rejected")
        #expect((rejected.json["reason"] as? String)?.contains("MAC mismatch") == true, "\(rejected.output)")
        #expect(rejected.json["uid"] == nil)
        // Explicit keys: no secrets file was made.
        #expect(!FileManager.default.fileExists(atPath: directory.file(".parcours/secrets.json")))
    }

    @Test("sun verify with encrypted file data, by template and by parameter names",
          .enabled(if: executable != nil, "the parcours executable was not built"))
    func commandFileData() throws {
        let metaKey = [UInt8](repeating: 0x24, count: 16)
        let fileKey = [UInt8](repeating: 0x42, count: 16)
        let text = "https://parcours.example/t?picc_data={picc}&enc={file}&cmac={mac}"
        let template = try SUNURLTemplate(text, macInputStart: .component(.fileData), fileDataLength: 16)
        let generator = try SUNMessageGenerator(
            template: template, keys: .fixed(metaReadKey: SymmetricKey(data: metaKey), fileReadKey: SymmetricKey(data: fileKey)))
        let url = try generator.makeURL(uid: [0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66], counter: 7, fileData: Array("member:000042---".utf8))
        let keys = ["--meta-key", metaKey.map { String(format: "%02x", $0) }.joined(), "--file-key", fileKey.map { String(format: "%02X", $0) }.joined()]
        let expectedFileData = Array("member:000042---".utf8).map { String(format: "%02X", $0) }.joined()

        let directory = try TemporaryDirectory()
        let byTemplate = try Self.run(["sun", "verify", url, "--template", text, "--file-data-length", "16"] + keys, directory: directory.path)
        #expect(byTemplate.status == 0, "\(byTemplate.output) \(byTemplate.errors)")
        #expect(byTemplate.json["uid"] as? String == "04112233445566")
        #expect(byTemplate.json["counter"] as? Int == 7)
        #expect(byTemplate.json["fileData"] as? String == expectedFileData)

        let byParameters = try Self.run(["sun", "verify", url, "--layout-parameters", "picc_data,enc,cmac"] + keys, directory: directory.path)
        #expect(byParameters.status == 0, "\(byParameters.output) \(byParameters.errors)")
        #expect(byParameters.json["fileData"] as? String == expectedFileData)

        // The default layout has no file data: the MAC input differs and the URL is rejected, not misread.
        let defaultLayout = try Self.run(["sun", "verify", url] + keys, directory: directory.path)
        #expect(defaultLayout.status == 2)
    }

    @Test("sun verify takes the keys from the settings: environment, or the secrets file",
          .enabled(if: executable != nil, "the parcours executable was not built"))
    func commandSettings() throws {
        let directory = try TemporaryDirectory()
        let config = try directory.write("identification.json", #"{"sun": {"parameters": {"piccData": "picc_data", "mac": "cmac"}}}"#)
        let fromEnvironment = try Self.run(
            ["sun", "verify", Self.an12196, "--config", config],
            environment: ["PARCOURS_SUN_META_KEY": Self.zeroKey, "PARCOURS_SUN_FILE_KEY": Self.zeroKey,
                          "PARCOURS_SECRETS_FILE": directory.file("secrets.json")],
            directory: directory.path)
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.errors)")
        #expect(fromEnvironment.json["counter"] as? Int == 61)

        // Without SUN keys in the environment, the generated file's random keys cannot verify the vector.
        let fromFile = try Self.run(
            ["sun", "verify", Self.an12196, "--config", config], environment: ["PARCOURS_SECRETS_FILE": directory.file("secrets.json")],
            directory: directory.path)
        #expect(fromFile.status == 2)
        #expect(FileManager.default.fileExists(atPath: directory.file("secrets.json")))

        let badEnvironment = try Self.run(
            ["sun", "verify", Self.an12196, "--config", config],
            environment: ["PARCOURS_SUN_META_KEY": "0011", "PARCOURS_SUN_FILE_KEY": Self.zeroKey,
                          "PARCOURS_SECRETS_FILE": directory.file("secrets.json")],
            directory: directory.path)
        #expect(badEnvironment.status != 0 && badEnvironment.status != 2)
        #expect(badEnvironment.errors.contains("PARCOURS_SUN_META_KEY must be exactly 16 bytes of hex, got 2"), "\(badEnvironment.errors)")

        let badOption = try Self.run(
            ["sun", "verify", Self.an12196, "--meta-key", "00", "--file-key", Self.zeroKey], directory: directory.path)
        #expect(badOption.status == 64)
        #expect(badOption.errors.contains("--meta-key must be 16 bytes of hex"), "\(badOption.errors)")
    }
}
