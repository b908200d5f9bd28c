import CardProtocols
import CardSecurity
import Foundation
import PCSC

/// Why a card was not issued. The message says what to do; no secret is ever in it.
public struct CardIssueError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        /// Not an NFC Forum Type 2 tag of the NTAG21x / Ultralight family, or not NDEF-formatted.
        case notNTAG
        /// CC access byte not `00`, or static or dynamic lock bits set.
        case locked
        /// The card's NDEF message does not fit the data area the CC declares.
        case tooSmall
        /// The tag holds someone else's content.
        case foreign
        /// The tag is already a Parcours card and `reissue` was not asked for.
        case alreadyIssued
        /// The tag's answers could not be read or understood.
        case unreadable
        /// The tag refused a page write.
        case writeFailed
        /// What reads back is not what was written, or does not verify.
        case verificationFailed
        case cardLeft
        case timedOut
        /// No card came within the wait.
        case noTap
        /// The issuer was asked for something its settings cannot do (a host it does not verify).
        case configuration
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// A card that was written and read back.
public struct IssuedCard: Sendable, Hashable, Codable {
    public var cardID: String
    /// The signed URL now on the tag.
    public var url: String
    /// The tag's UID, hex.
    public var uid: String
    public var reader: String
    public var host: String
    /// The loyalty key the card is signed with (its id only).
    public var keyID: String
    /// True when the tag was a Parcours card before and was written again.
    public var reissued: Bool
    /// The card id the tag held before, when it verified; it is kept.
    public var previousCardID: String?
    /// Bytes of NDEF data area the capability container declares, and how many the card now uses.
    public var dataAreaSize: Int
    public var bytesUsed: Int
    public var pageWrites: Int
    public var apduCount: Int
}

/// Issues Parcours loyalty cards onto blank NTAG21x tags: checks the tag (type, locks, size, content), signs
/// the card URL with the tag's UID, writes the data area page by page (`FF D6 00 page 04 data`), reads it back
/// and verifies it.
///
/// Refuses a locked tag, a tag too small for the URL and a tag that holds anything but a blank or empty NDEF
/// message. An existing Parcours card is written again only with `reissue`; when its signature verifies its
/// card id is kept (re-signing with the current key, as key rotation needs), otherwise it gets a new id.
public struct CardIssuer: Sendable {
    public let signer: LoyaltyCardSigner
    public let verifier: LoyaltyCardVerifier
    /// For the whole conversation with one tag, reads, writes and read-back included.
    public var timeout: Duration

    /// A card reported this soon after the reader was listed was there before we looked.
    static let startupWindow: Duration = .milliseconds(250)
    /// Longer than pcscd's slowest reader poll (400 ms).
    static let settleTime: Duration = .milliseconds(600)

    public init(signer: LoyaltyCardSigner, verifier: LoyaltyCardVerifier, timeout: Duration = .seconds(5)) {
        self.signer = signer
        self.verifier = verifier
        self.timeout = timeout
    }

    /// With the settings' loyalty keyring (the current key signs) and card hosts.
    public init(settings: IdentificationSettings, timeout: Duration = .seconds(5)) throws {
        self.init(signer: settings.loyaltyCardSigner(), verifier: try settings.loyaltyCardVerifier(), timeout: timeout)
    }

    /// Waits up to `wait` for a card on the reader named `reader` (a card already there counts), then issues
    /// onto it.
    ///
    /// - Throws: ``CardIssueError``.
    public func issueNextTap(
        reader: String, host: String, reissue: Bool = false, waitingUpTo wait: Duration,
        monitorConfiguration: ReaderMonitor.Configuration = .init()
    ) async throws -> IssuedCard {
        _ = try normalizedHost(host)
        let monitor = ReaderMonitor(configuration: monitorConfiguration)
        defer { monitor.stop() }
        let access = CardAccess(name: "issuer")
        let arrived = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                var listedAt: ContinuousClock.Instant?
                for await event in monitor.events {
                    switch event {
                    case .readerAdded(let name) where name == reader:
                        listedAt = .now
                    case .cardInserted(let name, _) where name == reader:
                        guard let listedAt, listedAt.duration(to: .now) < Self.startupWindow else { return true }
                        // On the reader when we started looking: pcscd polls some readers (vpcd) every 400 ms,
                        // so a card that has just left may still be reported. Trust it once pcscd had a look.
                        try await Task.sleep(for: Self.settleTime)
                        let readers = try await access.snapshot()
                        if readers.first(where: { $0.name == reader })?.isCardPresent == true { return true }
                    default:
                        continue
                    }
                }
                return false
            }
            group.addTask {
                try await Task.sleep(for: wait)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        guard arrived else {
            throw CardIssueError(.noTap, "no card on \(reader) within \(wait.components.seconds) s")
        }
        let channel: CardChannel
        do {
            channel = try await access.connect(reader: reader)
        } catch let error as PCSCError where error.meansCardGone {
            throw CardIssueError(.cardLeft, "the card left the reader before it could be read; nothing was written")
        }
        do {
            let issued = try await issue(on: channel, host: host, reissue: reissue)
            await channel.disconnect()
            return issued
        } catch {
            await channel.disconnect()
            throw error
        }
    }

    /// Issues onto the card on `channel`.
    ///
    /// - Throws: ``CardIssueError``.
    public func issue(on channel: CardChannel, host: String, reissue: Bool = false) async throws -> IssuedCard {
        let host = try normalizedHost(host)
        let session = CardSession(channel: channel, deadline: ContinuousClock.now.advanced(by: timeout))
        var writesDone = 0
        do {
            return try await issue(session, host: host, reissue: reissue, writesDone: &writesDone)
        } catch let error as CardIssueError {
            throw error
        } catch let error as PCSCError where error.meansCardGone {
            throw Self.cardLeft(writesDone: writesDone)
        } catch TapFailure.cardLeft {
            throw Self.cardLeft(writesDone: writesDone)
        } catch TapFailure.timedOut {
            throw CardIssueError(
                .timedOut,
                "the card did not finish answering within \(timeout.components.seconds) s" + Self.afterWrites(writesDone))
        } catch let error as CardProtocolError {
            throw CardIssueError(.unreadable, "the tag's answer could not be understood: \(error.message)" + Self.afterWrites(writesDone))
        } catch let error as CardSecurityError {
            throw CardIssueError(.configuration, error.message)
        }
    }

    private func issue(_ session: CardSession, host: String, reissue: Bool, writesDone: inout Int) async throws -> IssuedCard {
        let channel = session.channel
        let kind = (try? ATR(parsing: channel.atr))?.cardKind ?? .unknown
        guard case .storageCard(let card) = kind, card.standard == .iso14443A3, card.isNFCForumType2 else {
            throw CardIssueError(.notNTAG, "not an NTAG21x tag: the reader reports \(kind) (ATR \(channel.atr.hexString))")
        }
        let uid = try await session.send(.getUID).successData(of: "GET UID (FF CA 00 00 00)")
        guard uid.count == 7 else {
            throw CardIssueError(.notNTAG, "not an NTAG21x tag: its UID has \(uid.count) bytes, NTAG21x UIDs have 7")
        }

        // Pages 0–3: UID, static lock bytes, capability container.
        let header = try Type2TagHeader(pages: try await readPages(from: 0, session))
        try header.checkWritable()
        let cc = header.capabilityContainer

        let contents: Type2Tag.Contents
        do {
            contents = try await Type2Tag.readContents { try await session.send($0) }
        } catch let error as CardProtocolError where error.code == .unexpectedStatus || error.code == .truncated {
            throw CardIssueError(.unreadable, "the tag's data area could not be read: \(error.message)")
        } catch let error as CardProtocolError {
            throw CardIssueError(.foreign, "the tag's data area holds something that is not NDEF (\(error.message)); refusing to overwrite it")
        }
        let memory = contents.memory

        if let lockBits = DynamicLockBits.locate(capabilityContainer: cc, memory: memory) {
            let bytes = try await readPages(from: lockBits.page, session, what: "the dynamic lock bytes")
            let set = lockBits.setBits(in: bytes)
            if !set.isEmpty {
                throw CardIssueError(
                    .locked,
                    "the tag is locked: \(set.count) of its dynamic lock bits (page \(lockBits.page)) are set, so pages from 16 on are write-protected")
            }
        }

        // The URL's length does not depend on the card id: check the size before looking at the content.
        var cardID = signer.makeCardID()
        _ = try Type2WritePlan.make(message: try message(host: host, cardID: cardID, uid: uid), capabilityContainer: cc, memory: memory)

        var previousCardID: String?
        var reissued = false
        switch Type2TagContent.classify(memory, uid: uid, verifier: verifier) {
        case .blank:
            break
        case .foreign(let what):
            throw CardIssueError(
                .foreign, "the tag already holds someone else's content (\(what)); only blank tags are issued, and it was left as it was")
        case .parcoursCard(let existing, let problem):
            guard reissue else {
                let which = existing.map { "Parcours card \($0.rawValue)" } ?? "a Parcours card that does not verify (\(problem ?? "unknown reason"))"
                throw CardIssueError(.alreadyIssued, "the tag is already \(which); pass --reissue to write it again")
            }
            reissued = true
            if let existing {
                cardID = existing
                previousCardID = existing.rawValue
            }
        }

        let url = try signer.makeCardURL(host: host, cardID: cardID, uid: uid)
        let plan = try Type2WritePlan.make(
            message: try NDEFMessage(records: [.uri(url)]).serialized(), capabilityContainer: cc, memory: memory)

        for (index, write) in plan.writes.enumerated() {
            let response = try await session.send(try .updateBinaryPCSC(page: write.page, data: write.data))
            guard response.status.isSuccess else {
                throw CardIssueError(
                    .writeFailed,
                    "the tag refused to write page \(write.page) (status \(response.status)): the page is locked or password-protected"
                        + (index == 0 ? "; nothing was written" : Self.afterWrites(index)))
            }
            writesDone = index + 1
        }

        try await verifyReadBack(plan, url: url, cardID: cardID, uid: uid, session)
        return IssuedCard(
            cardID: cardID.rawValue, url: url, uid: uid.hexString, reader: channel.readerName, host: host,
            keyID: signer.keyring.currentKeyID, reissued: reissued, previousCardID: previousCardID,
            dataAreaSize: cc.dataAreaSize, bytesUsed: plan.dataArea.count, pageWrites: plan.writes.count,
            apduCount: session.apduCount)
    }

    /// Reads the written pages back, compares them byte for byte, and verifies the card as a reader would.
    private func verifyReadBack(_ plan: Type2WritePlan, url: String, cardID: LoyaltyCardID, uid: [UInt8], _ session: CardSession) async throws {
        var readBack: [UInt8] = []
        for page in stride(from: Int(Type2Tag.firstDataPage), through: plan.lastPage, by: Type2Tag.bytesPerRead / Type2Tag.bytesPerPage) {
            readBack += try await readPages(from: page, session, what: "the written pages")
        }
        readBack = Array(readBack.prefix(plan.dataArea.count))
        if let first = zip(readBack, plan.dataArea).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            let page = Int(Type2Tag.firstDataPage) + first.offset / Type2Tag.bytesPerPage
            throw CardIssueError(.verificationFailed, "page \(page) reads back differently from what was written; issue the tag again")
        }
        guard readBack.count == plan.dataArea.count else {
            throw CardIssueError(.verificationFailed, "the written pages read back short (\(readBack.count) of \(plan.dataArea.count) bytes)")
        }
        do {
            let memory = try Type2TagMemory(parsing: readBack)
            guard memory.ndefMessage == plan.ndefMessage,
                let uri = try NDEFMessage(parsing: memory.ndefMessage ?? []).records.first?.uri, uri == url
            else {
                throw CardIssueError(.verificationFailed, "the NDEF message read back is not the one written")
            }
            let verified = try verifier.verify(uri: uri, uid: uid)
            guard verified == cardID else {
                throw CardIssueError(.verificationFailed, "the card read back verifies as \(verified.rawValue), not \(cardID.rawValue)")
            }
        } catch let error as CardProtocolError {
            throw CardIssueError(.verificationFailed, "the card read back does not parse: \(error.message)")
        } catch let error as CardSecurityError {
            throw CardIssueError(.verificationFailed, "the card read back does not verify: \(error.message)")
        }
    }

    private func message(host: String, cardID: LoyaltyCardID, uid: [UInt8]) throws -> [UInt8] {
        try NDEFMessage(records: [.uri(try signer.makeCardURL(host: host, cardID: cardID, uid: uid))]).serialized()
    }

    /// 16 bytes from `page` (`FF B0 00 page 10`).
    private func readPages(from page: Int, _ session: CardSession, what: String = "the tag") async throws -> [UInt8] {
        let response = try await session.send(.readBinaryPCSC(page: UInt8(page)))
        guard response.status.isSuccess, response.data.count >= Type2Tag.bytesPerRead else {
            throw CardIssueError(
                .unreadable,
                "reading \(what) at page \(page) failed (\(response.data.count) bytes, status \(response.status))")
        }
        return Array(response.data.prefix(Type2Tag.bytesPerRead))
    }

    private func normalizedHost(_ host: String) throws -> String {
        let lowered = host.lowercased()
        guard verifier.hosts.contains(lowered) else {
            throw CardIssueError(
                .configuration,
                "host \(host.prefix(80)) is not one of the loyalty card hosts (\(verifier.hosts.sorted().joined(separator: ", "))): a card for it would not verify")
        }
        return lowered
    }

    private static func cardLeft(writesDone: Int) -> CardIssueError {
        CardIssueError(
            .cardLeft,
            "the card left the reader" + (writesDone == 0 ? " before anything was written; tap it again" : Self.afterWrites(writesDone)))
    }

    private static func afterWrites(_ count: Int) -> String {
        count == 0 ? "" : " after \(count) page writes; the tag now reads as blank: issue it again"
    }
}
