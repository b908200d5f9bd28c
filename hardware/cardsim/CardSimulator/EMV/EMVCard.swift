import CardProtocols
import Synchronization

/// A contactless Visa or Mastercard card answering the identification read of a terminal:
/// PPSE, application selection, GET PROCESSING OPTIONS and READ RECORD (EMV Book 1 and 3,
/// EMV Contactless Books C-2 and C-3), with fixed data and no cryptogram.
///
/// | command | answer |
/// |---|---|
/// | SELECT `2PAY.SYS.DDF01` | PPSE FCI listing the application with priority 1 |
/// | SELECT the AID (or a prefix of 5 bytes or more) | FCI with label, priority and the PDOL |
/// | GET PROCESSING OPTIONS `83 L data` | format 2: `77` with AIP `82`, AFL `94` (SFI 1 records 1–2, SFI 2 record 1) and ATC `9F36` |
/// | READ RECORD of a record in the AFL | its `70` template |
/// | GET DATA `9F36` | the ATC |
///
/// Failures: another name → `6A 82`; GPO or READ RECORD before the application is selected →
/// `69 85`; GPO whose PDOL data is not exactly the 33 bytes the PDOL asks for → `67 00`; a record
/// outside the AFL → `6A 83`; other GET DATA → `6A 88`.
public final class EMVCard: VirtualCard {
    public let profile: PaymentCardProfile
    public let identity: ContactlessIdentity

    /// `9F66 04 9F02 06 9F03 06 9F1A 02 95 05 5F2A 02 9A 03 9C 01 9F37 04`: 33 bytes of terminal data.
    public static let processingOptionsDOL = DataObjectList(entries: [
        .init(tag: 0x9F66, length: 4), .init(tag: 0x9F02, length: 6), .init(tag: 0x9F03, length: 6),
        .init(tag: 0x9F1A, length: 2), .init(tag: 0x95, length: 5), .init(tag: 0x5F2A, length: 2),
        .init(tag: 0x9A, length: 3), .init(tag: 0x9C, length: 1), .init(tag: 0x9F37, length: 4),
    ])

    /// The records the AFL lists: SFI 1 records 1–2, SFI 2 record 1.
    static let recordsInFiles: [(sfi: UInt8, records: ClosedRange<UInt8>)] = [(1, 1...2), (2, 1...1)]

    /// Tag `94`: per file, SFI << 3, first and last record, and 0 records for offline data authentication.
    public static var applicationFileLocator: [UInt8] {
        recordsInFiles.flatMap { [$0.sfi << 3, $0.records.lowerBound, $0.records.upperBound, 0x00] }
    }

    enum Selection: Sendable {
        case paymentDirectory
        case application
    }

    struct State: Sendable {
        var selection: Selection?
        /// Application transaction counter, raised by each GET PROCESSING OPTIONS.
        var transactionCounter: UInt16 = 0x0041
    }

    let state: Mutex<State>

    /// - Throws: ``CardSimulatorError/Code-swift.struct/invalidUID`` for a UID that is not 4, 7 or 10 bytes.
    public init(profile: PaymentCardProfile) throws(CardSimulatorError) {
        self.profile = profile
        // Bank cards commonly send no historical bytes: the reader's ATR is 3B 80 80 01 01.
        identity = try ContactlessIdentity(uid: profile.uid, historicalBytes: [], interfaceBytes: [0x78, 0x80, 0x70])
        state = Mutex(State())
    }

    public var atr: [UInt8] { identity.atr }

    public func powerOn() {
        state.withLock { $0.selection = nil }
    }

    public func powerOff() { powerOn() }

    /// The ATC: how many GET PROCESSING OPTIONS the card has answered, from its starting value.
    public var transactionCounter: UInt16 { state.withLock { $0.transactionCounter } }

    // MARK: Data objects

    var paymentDirectoryFCI: [UInt8] {
        TLV(tag: 0x6F, children: [
            TLV(tag: 0x84, value: CommandAPDU.ppseName),
            TLV(tag: 0xA5, children: [
                TLV(tag: 0xBF0C, children: [
                    TLV(tag: 0x61, children: [
                        TLV(tag: 0x4F, value: profile.aid),
                        TLV(tag: 0x50, value: Array(profile.applicationLabel.utf8)),
                        TLV(tag: 0x87, value: [0x01]),
                    ])
                ])
            ]),
        ]).serialized()
    }

    var applicationFCI: [UInt8] {
        TLV(tag: 0x6F, children: [
            TLV(tag: 0x84, value: profile.aid),
            TLV(tag: 0xA5, children: [
                TLV(tag: 0x50, value: Array(profile.applicationLabel.utf8)),
                TLV(tag: 0x87, value: [0x01]),
                TLV(tag: 0x9F38, value: Self.processingOptionsDOL.serialized()),
                TLV(tag: 0x5F2D, value: Array("enfr".utf8)),
            ]),
        ]).serialized()
    }

    /// The `70` template of record `record` in file `sfi`; `nil` outside the AFL.
    func record(sfi: UInt8, number record: UInt8) -> [UInt8]? {
        let objects: [TLV]
        switch (sfi, record) {
        case (1, 1):
            objects = [
                TLV(tag: 0x57, value: profile.track2EquivalentData),
                TLV(tag: 0x5F20, value: Array(profile.cardholderName.utf8)),
            ]
        case (1, 2):
            var list = [
                TLV(tag: 0x5A, value: profile.pan.bcd),
                TLV(tag: 0x5F24, value: profile.expiryDate),
                TLV(tag: 0x5F34, value: [0x01]),
            ]
            if let par = profile.paymentAccountReference { list.append(TLV(tag: 0x9F24, value: Array(par.utf8))) }
            objects = list
        case (2, 1):
            objects = [
                TLV(tag: 0x5F28, value: [0x02, 0x50]),  // issuer country: France
                TLV(tag: 0x9F07, value: [0xFF, 0x00]),  // application usage control: valid everywhere
                TLV(tag: 0x8E, value: [0, 0, 0, 0, 0, 0, 0, 0, 0x1E, 0x03, 0x1F, 0x03]),  // CVM list: signature, no CVM
            ]
        default:
            return nil
        }
        return TLV(tag: 0x70, children: objects).serialized()
    }
}
