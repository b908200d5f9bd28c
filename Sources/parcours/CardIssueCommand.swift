import ArgumentParser
import Foundation
import PCSC
import ReaderService
import StoreCore

extension CardCommand {
    /// `parcours card issue`: write a signed loyalty card onto a blank NTAG21x.
    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a signed Parcours loyalty card onto a blank NTAG21x tag.",
            discussion: """
                Waits for a tag on the reader (one already there counts), checks that it is an NTAG21x, not locked \
                (CC access byte 00, no static or dynamic lock bits), large enough for the card URL, and blank (no \
                NDEF message or an empty one; an existing Parcours card only with --reissue). Then signs \
                https://HOST/c/CARDID?k=KEYID&s=SIGNATURE with the tag's UID, writes it page by page, reads it \
                back and verifies it. Prints the card id, URL and UID; nothing secret.

                Keys: the current loyalty key of PARCOURS_LOYALTY_KEYS / PARCOURS_LOYALTY_KEY_CURRENT, else of \
                .parcours/secrets.json (created with random keys on first use). Hosts: loyaltyCardHosts in the \
                settings file (see config/identification.example.json).

                Exit status: 0 issued, 2 refused or failed (the reason is printed), other non-zero: usage or settings.
                """)

        @Option(help: "The reader: its full name, its index in `parcours readers --once`, or part of its name.")
        var reader: String

        @Option(help: "Bind the new card to this customer profile (its id) in the store database.")
        var profile: String?

        @Option(help: "The host the card URL names (default: the first of the settings' loyaltyCardHosts).")
        var host: String?

        @Flag(help: "Write a tag that already is a Parcours card again (its card id is kept when it verifies).")
        var reissue = false

        @Flag(help: "Print the result as JSON.")
        var json = false

        @Option(help: "Give up after this many seconds with no tag.")
        var wait: Double = 60

        @Option(help: "Identification settings JSON (default: config/identification.json if present, else built-in defaults).")
        var config: String?

        @OptionGroup(title: "Store (with --profile)")
        var store: StoreOptions

        func validate() throws {
            guard wait > 0, wait <= 3600 else { throw ValidationError("--wait must be between 0 and 3600 seconds") }
        }

        func run() async throws {
            let settings = try IdentificationSettings.load(configPath: config)
            let issuer = try CardIssuer(settings: settings)
            let host = (self.host ?? settings.config.loyaltyCardHosts.first ?? "").lowercased()
            guard settings.config.loyaltyCardHosts.contains(host) else {
                throw ValidationError(
                    "--host \(host) is not one of the loyalty card hosts (\(settings.config.loyaltyCardHosts.joined(separator: ", "))); add it to loyaltyCardHosts in the settings")
            }

            // The profile must exist before a tag is written for it.
            var database: StoreDatabase?
            if let profile {
                let opened = try await store.open()
                _ = try await opened.profile(id: profile)
                database = opened
            }
            defer { try? database?.close() }

            let names = try await CardAccess(name: "issue").readerNames()
            let readerName = try ReaderSelector.resolve(reader, among: names)
            FileHandle.standardError.write(Data("waiting up to \(Int(wait)) s for a tag on \(readerName)…\n".utf8))

            let card: IssuedCard
            do {
                card = try await issuer.issueNextTap(
                    reader: readerName, host: host, reissue: reissue, waitingUpTo: .milliseconds(Int(wait * 1000)))
            } catch let error as CardIssueError {
                if json {
                    print(try IssueJSON.encode(Refusal(code: error.code.rawValue, reason: error.message)))
                } else {
                    FileHandle.standardError.write(Data("not issued: \(error.message)\n".utf8))
                }
                throw ExitCode(2)
            }

            if let database, let profile {
                try await database.bindIdentifier(kind: .loyaltyCard, value: card.cardID, profileId: profile, verified: true)
            }
            if json {
                print(try IssueJSON.encode(Output(card: card, profile: profile)))
            } else {
                print("card id:    \(card.cardID)\(card.reissued ? " (reissued)" : "")")
                print("URL:        \(card.url)")
                print("UID:        \(card.uid)")
                print("reader:     \(card.reader)")
                print("key id:     \(card.keyID)")
                print("written:    \(card.bytesUsed) of \(card.dataAreaSize) bytes, \(card.pageWrites) page writes, read back and verified")
                if let profile { print("profile:    \(profile)") }
            }
        }

        private struct Output: Encodable {
            let card: IssuedCard
            let profile: String?

            private enum CodingKeys: String, CodingKey {
                case issued, cardID, url, uid, reader, host, keyID, reissued, previousCardID, dataAreaSize, bytesUsed, pageWrites, profile
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(true, forKey: .issued)
                try container.encode(card.cardID, forKey: .cardID)
                try container.encode(card.url, forKey: .url)
                try container.encode(card.uid, forKey: .uid)
                try container.encode(card.reader, forKey: .reader)
                try container.encode(card.host, forKey: .host)
                try container.encode(card.keyID, forKey: .keyID)
                try container.encode(card.reissued, forKey: .reissued)
                try container.encodeIfPresent(card.previousCardID, forKey: .previousCardID)
                try container.encode(card.dataAreaSize, forKey: .dataAreaSize)
                try container.encode(card.bytesUsed, forKey: .bytesUsed)
                try container.encode(card.pageWrites, forKey: .pageWrites)
                try container.encodeIfPresent(profile, forKey: .profile)
            }
        }

        private struct Refusal: Encodable {
            var issued = false
            let code: String
            let reason: String
        }
    }
}

enum IssueJSON {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension ReaderSelector {
    /// The one reader `selector` names: a full name, an index in the list, or part of exactly one name.
    static func resolve(_ selector: String, among names: [String]) throws -> String {
        guard !names.isEmpty else {
            throw ValidationError("no readers (is pcscd running with a reader? try: hardware/rig/pcscd-rig start)")
        }
        if names.contains(selector) { return selector }
        if let index = Int(selector) {
            guard names.indices.contains(index) else {
                throw ValidationError("there is no reader \(index); readers: \(list(names))")
            }
            return names[index]
        }
        let matches = names.filter { $0.localizedCaseInsensitiveContains(selector) }
        guard matches.count == 1 else {
            throw ValidationError(
                matches.isEmpty
                    ? "no reader matches \"\(selector)\"; readers: \(list(names))"
                    : "\"\(selector)\" matches \(matches.count) readers (\(matches.joined(separator: "; "))); be more specific")
        }
        return matches[0]
    }

    private static func list(_ names: [String]) -> String {
        names.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: "; ")
    }
}
