import CardSecurity
import Crypto
import Foundation
import Testing

@Suite("EMV payment tokens")
struct PaymentTokenizerTests {
    static let secret = SymmetricKey(data: Array(0..<32) as [UInt8])
    static let visaAID = bytes("A0000000031010")
    static let mastercardAID = bytes("A0000000041010")
    static let par = "V0010013018257123456789012345"

    /// Visa: PAN in 5A, expiry in 5F24, a PAR in 9F24, and a cardholder name to skip.
    static let visaRecord = bytes(tlv("70",
        tlv("5A", "4761739001010010") + tlv("5F24", "251231") + tlv("5F20", "4A4F484E20")
            + tlv("9F24", hexText(Array(par.utf8)))))
    /// Mastercard: only track 2 equivalent data.
    static let mastercardRecord = bytes(tlv("70", tlv("57", "5413330089010434D25122010000000000000F")))

    func tokenizer() throws -> PaymentTokenizer { try PaymentTokenizer(secret: Self.secret) }

    /// No field and no description holds the PAN digits.
    func expectNoPAN(_ identity: PaymentCardIdentity, pan: String) {
        let mirror = Mirror(reflecting: identity).children.map { "\($0.value)" }
        for text in mirror + [identity.description, "\(identity)", String(reflecting: identity)] {
            #expect(!text.contains(pan), "\(text)")
        }
        let json = (try? JSONEncoder().encode(identity)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(!json.isEmpty && !json.contains(pan))
    }

    @Test("Visa record with 5A, 5F24 and a PAR")
    func visa() throws {
        var records = [Self.visaRecord]
        let identity = try tokenizer().tokenize(records: &records, aid: Self.visaAID)
        #expect(identity == PaymentCardIdentity(
            paymentToken: "6E02943EDBE27FEDA07468363FA86DB0BD750D0607182FD9C858B5D3A6DDAE79",
            paymentAccountReference: Self.par, maskedPAN: "476173******0010", scheme: .visa, expiry: "2512"))
        #expect(records.count == 1 && records[0].count == Self.visaRecord.count && records[0].allSatisfy { $0 == 0 })
        expectNoPAN(identity, pan: "4761739001010010")
    }

    @Test("Mastercard record with only track 2 equivalent data")
    func mastercardTrack2() throws {
        var records = [bytes(tlv("70", tlv("9F4A", "82"))), Self.mastercardRecord]
        let identity = try tokenizer().tokenize(records: &records, aid: Self.mastercardAID)
        #expect(identity.paymentToken == "475A724119D2A2784F07B04110BE4B4689770D9DE56EAE110C2DF69A025F3981")
        #expect(identity.maskedPAN == "541333******0434")
        #expect(identity.expiry == "2512")
        #expect(identity.scheme == .mastercard)
        #expect(identity.paymentAccountReference == nil)
        #expect(records.allSatisfy { $0.allSatisfy { $0 == 0 } })
        expectNoPAN(identity, pan: "5413330089010434")
    }

    @Test("a 15-digit Amex PAN padded with F; 5A wins over 57 whichever comes first")
    func paddingAndPriority() throws {
        var records = [
            Self.mastercardRecord,
            bytes(tlv("70", tlv("5A", "374245455400126F") + tlv("5F24", "270430"))),
        ]
        let identity = try tokenizer().tokenize(records: &records, aid: bytes("A00000002501"))
        #expect(identity.paymentToken == "8FB8FE4116F630786F84878FCEF70E4C8610D14EB4ECA99D85D80176D909B298")
        #expect(identity.maskedPAN == "374245*****0126")
        #expect(identity.expiry == "2704")
        #expect(identity.scheme == .americanExpress)
    }

    @Test("the token is the same for the same PAN, different under another secret")
    func tokenStability() throws {
        var first = [Self.visaRecord]
        var second = [Self.visaRecord]
        var third = [Self.visaRecord]
        let a = try tokenizer().tokenize(records: &first, aid: Self.visaAID)
        let b = try tokenizer().tokenize(records: &second, aid: Self.visaAID)
        let c = try PaymentTokenizer(secret: SymmetricKey(data: [UInt8](repeating: 7, count: 32)))
            .tokenize(records: &third, aid: Self.visaAID)
        #expect(a.paymentToken == b.paymentToken)
        #expect(a.paymentToken != c.paymentToken)
    }

    static let expiry = tlv("5F24", "251231")

    struct Bad: Sendable, CustomTestStringConvertible {
        let name: String
        let records: [String]
        let message: String
        var testDescription: String { name }
    }

    static let bad: [Bad] = [
        Bad(name: "invalid Luhn", records: [tlv("70", tlv("5A", "4761739001010011") + expiry)], message: "fails the Luhn check"),
        Bad(name: "no PAN", records: [tlv("70", expiry), tlv("70", tlv("9F4A", "82"))], message: "no PAN"),
        Bad(name: "no records", records: [], message: "no PAN"),
        Bad(name: "truncated TLV", records: ["70 0D 5A 08 47617390"], message: "declares 13 bytes but 6 remain"),
        Bad(name: "truncated PAN inside the template", records: ["70 06 5A 08 47617390"], message: "TLV 5A at offset 2 declares 8 bytes"),
        Bad(name: "cut-off tag", records: ["70 01 9F"], message: "is cut off"),
        Bad(name: "12 digits failing Luhn", records: [tlv("70", tlv("5A", "400000000001") + expiry)], message: "Luhn"),
        Bad(name: "11 digits", records: [tlv("70", tlv("5A", "40000000002F") + expiry)], message: "11 digits; 12–19 are expected"),
        Bad(name: "20 digits", records: [tlv("70", tlv("5A", "47617390010100104761") + expiry)], message: "longer than 19 digits"),
        Bad(name: "non-digit PAN nibble", records: [tlv("70", tlv("5A", "47617390010100A0") + expiry)],
            message: "neither a digit nor end padding"),
        Bad(name: "digit after padding", records: [tlv("70", tlv("5A", "476173900101001F0F") + expiry)],
            message: "neither a digit nor end padding"),
        Bad(name: "track 2 without separator", records: [tlv("70", tlv("57", "5413330089010434"))], message: "no D separator"),
        Bad(name: "track 2 cut after separator", records: [tlv("70", tlv("57", "5413330089010434D251"))],
            message: "ends before its expiry date"),
        Bad(name: "no expiry", records: [tlv("70", tlv("5A", "4761739001010010"))], message: "no expiry date"),
        Bad(name: "month 13", records: [tlv("70", tlv("5A", "4761739001010010") + tlv("5F24", "251331"))], message: "month 13"),
        Bad(name: "indefinite length", records: ["70 80 5A 08 4761739001010010"], message: "invalid length byte 80"),
        Bad(name: "deep nesting", records: [(0..<10).reduce("9F4A0182") { inner, _ in tlv("70", inner) }],
            message: "deeper than 8 levels"),
    ]

    @Test("rejections never show the PAN and still wipe the input", arguments: bad)
    func rejections(_ bad: Bad) throws {
        var records = bad.records.map { bytes($0) }
        let sizes = records.map(\.count)
        let error = try #require(throws: CardSecurityError.self) {
            try tokenizer().tokenize(records: &records, aid: Self.visaAID)
        }
        #expect(error.code == .malformed)
        #expect(error.message.contains(bad.message), "\(error.message)")
        #expect(!error.message.contains("4761739001010011") && !error.message.contains("47617390"))
        #expect(records.map(\.count) == sizes)
        #expect(records.allSatisfy { $0.allSatisfy { $0 == 0 } })
    }

    @Test("every single-byte corruption and every truncation of a record gives a value or a typed error, and a wiped input")
    func corruptions() throws {
        let tokenizer = try tokenizer()
        var variants: [[UInt8]] = (0..<Self.visaRecord.count).map { Array(Self.visaRecord.prefix($0)) }
        for index in Self.visaRecord.indices {
            for value: UInt8 in [0x00, 0x1F, 0x7F, 0x80, 0x84, 0xFF, Self.visaRecord[index] ^ 0x01] {
                var variant = Self.visaRecord
                variant[index] = value
                variants.append(variant)
            }
        }
        var outcomes = (accepted: 0, rejected: 0)
        for variant in variants {
            var records = [variant]
            do {
                let identity = try tokenizer.tokenize(records: &records, aid: Self.visaAID)
                #expect(identity.paymentToken.count == 64)
                outcomes.accepted += 1
            } catch is CardSecurityError {
                outcomes.rejected += 1
            }
            #expect(records[0].allSatisfy { $0 == 0 })
        }
        #expect(outcomes.accepted > 0 && outcomes.rejected > 0)
    }

    @Test("the secret must be at least 32 bytes")
    func shortSecret() {
        #expect(throws: CardSecurityError.configuration) { try PaymentTokenizer(secret: SymmetricKey(data: [UInt8](repeating: 1, count: 31))) }
    }

    @Test("scheme from the AID's RID", arguments: [
        ("A0000000031010", PaymentScheme.visa), ("A0000000041010", .mastercard), ("A000000025010801", .americanExpress),
        ("A0000000421010", .cb), ("A0000001523010", .discover), ("A0000000651010", .jcb), ("A000000333010101", .unionPay),
        ("A0000002771010", .interac), ("A0000006581010", .unknown),
    ])
    func schemes(_ aid: String, _ scheme: PaymentScheme) {
        #expect(PaymentScheme(aid: bytes(aid)) == scheme)
    }
}
