import Foundation
import HeadOffice
import StoreCore
import Testing

/// `parcours hq import` against a real PostgreSQL: bad rows reported by line, good rows imported, re-runs change nothing.
@Suite("Digital profiles: file imports", .serialized)
struct DigitalImportTests {
    static let csv = """
        ecommerce_id,email,email_verified,first_name,last_name,phone,phone_verified,loyalty_card,payment_account_reference,consent_marketing_email,consent_marketing_email_at
        C-1,Ana.Lopez@Example.COM,true,Ana,"Lopez, Jr",+33 6 12 34 56 78,false,,,true,2025-03-14T09:30:00Z
        ,nobody@example.com,true,No,,,,,,,
        C-3,carl@@example.com,true,Carl,,,,,,,
        C-4,dee@example.com,true,Dee,"Ann
        Marie",,,,,,
        C-5,eve@example.com,true,Eve
        C-6,fay@example.com,true,Fay,,,,,,maybe,2025-01-01T00:00:00Z
        C-7,gus@example.com,true,Gus,,,,,,true,14/03/2025
        C-8,hal@example.com,no,Hal,,,,LC-HAL,\(DigitalFixtures.par("8")),false,2025-03-14T11:30:00+01:00

        """

    @Test("CSV: good rows imported, each bad row reported with its line (a quoted line break counted), and a second run changes nothing")
    func csvImport() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let path = try DigitalFixtures.file("customers.csv", Self.csv)
            let importer = DigitalImporter(database: hq, batchSize: 3)
            let first = try await importer.importFile(path, kind: .profiles)
            #expect(first.rows == 8 && first.imported == 2 && first.created == 2)
            let expected: [(Int, String)] = [
                (3, "ecommerce_id: is missing"),
                (4, "email: 'carl@@example.com' is not an email address"),
                (5, "last_name: contains a control character"),
                (7, "4 fields, the header has 11 columns"),
                (8, "consent_marketing_email: 'maybe' is not true or false"),
                (9, "consent_marketing_email_at: '14/03/2025' is not an ISO 8601 date"),
            ]
            #expect(first.failures.map(\.line) == expected.map(\.0))
            for (failure, (_, message)) in zip(first.failures, expected) {
                #expect(failure.message.contains(message), "line \(failure.line): \(failure.message)")
            }
            #expect(first.summary.contains("customers.csv: 8 rows read, 2 imported, 6 bad"))
            #expect(first.summary.contains("2 created, 0 updated, 0 unchanged"))

            #expect(try await hq.strings("SELECT ecommerce_id || ' ' || first_name || ' ' || COALESCE(last_name, '-') || ' ' || email || ' ' || COALESCE(phone, '-') || ' ' || origin FROM profile ORDER BY ecommerce_id")
                    == ["C-1 Ana Lopez, Jr Ana.Lopez@example.com +33612345678 ecommerce", "C-8 Hal - hal@example.com - ecommerce"])
            // The identifier is the address as a kiosk would store it, so both sides meet in one row.
            let storeKey = try EmailAddress("Ana.Lopez@Example.COM").lookupKey
            #expect(try await hq.strings("SELECT kind || ' ' || value || ' ' || verified FROM identifier WHERE profile_id = (SELECT id FROM profile WHERE ecommerce_id = 'C-1') ORDER BY kind")
                    == ["ecommerceID C-1 true", "email \(storeKey) true", "phone \(try PhoneNumber("+33 6 12 34 56 78").e164) false"])
            #expect(try await hq.strings("SELECT kind FROM identifier WHERE profile_id = (SELECT id FROM profile WHERE ecommerce_id = 'C-8') ORDER BY kind")
                    == ["ecommerceID", "email", "loyaltyCard", "paymentAccountReference"])
            #expect(try await hq.strings("SELECT purpose || ' ' || granted || ' ' || source FROM consent ORDER BY at")
                    == ["marketingEmail true import customers.csv", "marketingEmail false import customers.csv"],
                    "the file's name, not the path of the operator's folder")
            let before = try await DigitalFixtures.state(hq)

            let second = try await importer.importFile(path, kind: .profiles)
            #expect(second.created == 0 && second.updated == 0 && second.unchanged == 2 && second.consentsAdded == 0)
            #expect(second.failures == first.failures)
            #expect(try await DigitalFixtures.state(hq) == before, "the same file twice leaves the same state")
        }
    }

    @Test("a malformed header stops the import before anything is written")
    func badHeader() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let cases: [(String, String)] = [
                ("ecommerce_id,email,nickname\nC-1,a@example.com,x\n", "unknown column 'nickname'"),
                ("email,first_name\na@example.com,Ana\n", "the required column 'ecommerce_id' is missing"),
                ("ecommerce_id,email,email\nC-1,a@example.com,b@example.com\n", "column 'email' appears twice"),
                ("ecommerce_id,consent_telepathy\nC-1,true\n", "unknown column 'consent_telepathy'"),
                ("\"ecommerce_id,email\nC-1,a@example.com\n", "a quoted field is never closed"),
                ("", "the file is empty"),
            ]
            for (text, message) in cases {
                let path = try DigitalFixtures.file("bad.csv", text)
                let error = await #expect(throws: HeadOfficeError.self) {
                    try await DigitalImporter(database: hq).importFile(path, kind: .profiles)
                }
                #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
            }
            #expect(try await hq.count("SELECT count(*)::bigint FROM profile") == 0)
            let unknownFormat = await #expect(throws: HeadOfficeError.self) {
                try await DigitalImporter(database: hq).importFile(try DigitalFixtures.file("customers.xlsx", "x"), kind: .profiles)
            }
            #expect(unknownFormat?.description.contains("--format csv|jsonl") == true)
        }
    }

    static let jsonl = """
        {"ecommerceId":"J-1","email":"jo@example.com","emailVerified":true,"firstName":"Jo","consents":{"profiling":{"granted":false,"at":"2025-01-01T00:00:00Z"},"marketingSMS":{"granted":true,"at":"2025-01-01T00:00:00Z"}},"touchpoints":[{"kind":"emailClick","at":"2025-01-02T00:00:00Z","campaign":"spring"},{"kind":"onlineOrder","at":"2025-01-03T10:00:00Z","amountMinor":4599,"currency":"EUR","orderId":"W-1"}]}
        {"ecommerceId":"J-2","consents":{"telepathy":{"granted":true,"at":"2025-01-01T00:00:00Z"}}}

        {"ecommerceId":"J-3","emailVerified":"yes"}
        {"ecommerceId":"J-4","touchpoints":[{"kind":"webVisit","at":"not a date"}]}
        not json
        {"email":"x@example.com"}
        {"ecommerceId":"J-8","phone":"0612345678"}
        {"ecommerceId":"J-9","nickname":"Nine"}
        {"ecommerceId":"J-10","touchpoints":[{"kind":"webVisit","at":"2025-01-04T00:00:00+02:00"},{"kind":"webVisit","at":"2025-01-03T22:00:00.000Z"},{"kind":"onlineOrder","at":"2025-01-05T00:00:00Z","amountMinor":100}]}
        {"ecommerceId":"J-11","touchpoints":[{"kind":"webVisit","at":"2025-01-04T00:00:00+02:00"},{"kind":"webVisit","at":"2025-01-03T22:00:00.000Z"}]}
        """

    @Test("JSON Lines: touchpoints inline, strict fields, bad lines reported by number, and a second run changes nothing")
    func jsonLinesImport() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            let path = try DigitalFixtures.file("customers.jsonl", Self.jsonl)
            let first = try await DigitalImporter(database: hq).importFile(path, kind: .profiles)
            let expected: [(Int, String)] = [
                (2, "consents.telepathy: unknown consent purpose"),
                (4, "emailVerified: must be true or false, got a string"),
                (5, "touchpoints[0].at: 'not a date' is not an ISO 8601 date"),
                (6, "is not valid JSON"),
                (7, "ecommerceId: is missing"),
                (8, "phone: '0612345678' is not an international phone number"),
                (9, "nickname: unknown field"),
                (10, "touchpoints[2].currency: is required for an onlineOrder"),
            ]
            #expect(first.failures.map(\.line) == expected.map(\.0))
            for (failure, (_, message)) in zip(first.failures, expected) {
                #expect(failure.message.contains(message), "line \(failure.line): \(failure.message)")
            }
            #expect(first.rows == 10 && first.created == 2 && first.consentsAdded == 2)
            // J-11's two visits are one instant written in two zones: one touchpoint.
            #expect(first.touchpointsAdded == 3)
            #expect(try await hq.strings("SELECT kind || ' ' || COALESCE(detail::text, '-') FROM touchpoint ORDER BY at")
                    == [#"emailClick {"campaign": "spring"}"#, #"onlineOrder {"orderId": "W-1", "currency": "EUR", "amountMinor": 4599}"#, "webVisit -"])
            let before = try await DigitalFixtures.state(hq)
            let second = try await DigitalImporter(database: hq).importFile(path, kind: .profiles)
            #expect(second.created == 0 && second.unchanged == 2 && second.touchpointsAdded == 0 && second.consentsAdded == 0)
            #expect(try await DigitalFixtures.state(hq) == before)

            // A later export with a new name updates the profile and keeps what it does not mention.
            let update = try DigitalFixtures.file("update.jsonl", #"{"ecommerceId":"J-1","firstName":"Joanna"}"#)
            let third = try await DigitalImporter(database: hq).importFile(update, kind: .profiles)
            #expect(third.updated == 1 && third.failures.isEmpty)
            #expect(try await hq.strings("SELECT first_name || ' ' || email FROM profile WHERE ecommerce_id = 'J-1'") == ["Joanna jo@example.com"])
        }
    }

    @Test("CSV touchpoints: added to imported customers by e-commerce id, unknown customers and kinds reported, re-run adds nothing")
    func touchpointsImport() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            _ = try await DigitalImporter(database: hq).importFile(try DigitalFixtures.file("p.csv", "ecommerce_id,first_name\nC-1,Ana\n"), kind: .profiles)
            let path = try DigitalFixtures.file("touchpoints.csv", """
                ecommerce_id,kind,at,url,amount_minor,currency,order_id,campaign
                C-1,webVisit,2025-03-14T09:00:00Z,https://shop.example/shoes,,,,
                C-1,onlineOrder,2025-03-14T09:05:00Z,,4599,eur,W-77,
                C-9,webVisit,2025-03-14T09:00:00Z,,,,,
                C-1,teleport,2025-03-14T09:00:00Z,,,,,
                C-1,emailClick,2025-03-14T09:10:00Z,,,,,spring
                C-1,webVisit,2025-03-14T09:20:00Z,,12,EUR,,

                """)
            let first = try await DigitalImporter(database: hq).importFile(path, kind: .touchpoints)
            #expect(first.touchpointsAdded == 3)
            #expect(first.failures.map(\.line) == [4, 5, 7])
            #expect(first.failures[0].message.contains("no customer has e-commerce id 'C-9'"))
            #expect(first.failures[1].message.contains("kind: 'teleport' is not a touchpoint kind"))
            #expect(first.failures[2].message.contains("amount_minor: is only for an onlineOrder"))
            #expect(first.summary.contains("touchpoints: 3 added, 0 already known"))
            let second = try await DigitalImporter(database: hq).importFile(path, kind: .touchpoints)
            #expect(second.touchpointsAdded == 0 && second.touchpointsAlreadyKnown == 3)
            #expect(try await hq.count("SELECT count(*)::bigint FROM touchpoint") == 3)
            #expect(try await hq.strings("SELECT detail->>'currency' FROM touchpoint WHERE kind = 'onlineOrder'") == ["EUR"])
        }
    }
}
