import Foundation
import HeadOffice
import StoreCore
import SyncProtocol
import Testing

@Suite("The offline redemption allowance", .serialized)
struct OfflineAllowanceTests {
    @Test("head office sends a store its allowance; offline, a redemption may go below zero by up to it per customer, never more; online, never")
    func allowance() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let lyon = try await TestStore.make("lyon", headOffice: hq, url: url)
                try await hq.setRedemptionAllowance(storeId: "lyon", points: 100)
                let léa = try await lyon.database.signUp(SignUpRequest(firstName: "Léa", email: "lea@example.com", language: "fr"))
                #expect(léa.balance == 50)
                try await lyon.sync()
                let standing = try await lyon.database.headOfficeStanding()
                #expect(standing.redemptionAllowance == 100)
                let answered = try #require(standing.lastAnsweredAt)
                let id = léa.profile.id

                // Head office just answered: the store is online, and the balance it knows is the chain's.
                let online = await #expect(throws: StoreError.self) {
                    try await lyon.database.redeem(profileId: id, rewardId: "coffee", deviceId: "till", at: answered + 30)
                }
                #expect(online?.code == .insufficientPoints)
                #expect(online?.message.contains("head office is reachable") == true, "\(online?.message ?? "")")

                // Ten minutes without an answer: offline. 50 points, a 100-point coffee: 50 on the allowance.
                let offline = answered + 600
                let coffee = try await lyon.database.redeem(profileId: id, rewardId: "coffee", deviceId: "till", at: offline)
                #expect(coffee.balance == -50)
                #expect(coffee.offlineOverdraft == 50)
                // A second coffee would take her to -150: beyond the allowance, refused, and nothing is written.
                let beyond = await #expect(throws: StoreError.self) {
                    try await lyon.database.redeem(profileId: id, rewardId: "coffee", deviceId: "till", at: offline + 1)
                }
                #expect(beyond?.code == .insufficientPoints)
                #expect(beyond?.message.contains("offline allowance of 100 points per customer (50 left for this customer)") == true,
                        "\(beyond?.message ?? "")")
                #expect(try await lyon.database.balance(profileId: id, at: offline + 2) == -50)

                // Back online: head office takes the redemption within the allowance, so flags nothing.
                try await lyon.sync()
                let chain = try await hq.count("SELECT sum(delta)::bigint FROM ledger_entry WHERE profile_id = '\(id)'")
                #expect(chain == -50)
                #expect(try await hq.overdrafts().isEmpty)
                let again = await #expect(throws: StoreError.self) {
                    try await lyon.database.redeem(profileId: id, rewardId: "coffee", deviceId: "till", at: Date())
                }
                #expect(again?.message.contains("head office is reachable") == true)

                // The allowance outlasts a restart; taken back to 0, nothing may go below zero even offline.
                let reopened = try await StoreDatabase.open(path: lyon.database.path, options: .init(storeId: "lyon"))
                #expect(try await reopened.headOfficeStanding().redemptionAllowance == 100)
                try await hq.setRedemptionAllowance(storeId: "lyon", points: 0)
                try await lyon.sync()
                #expect(try await lyon.database.headOfficeStanding().redemptionAllowance == 0)
                let none = await #expect(throws: StoreError.self) {
                    try await lyon.database.redeem(profileId: id, rewardId: "coffee", deviceId: "till", at: Date() + 3600)
                }
                #expect(none?.message == "balance -50 < cost 100 of Free coffee")
            }
        }
    }

    @Test("a store that never reached head office has no allowance, and another store's allowance is not its own")
    func neverSynced() async throws {
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq) { url in
                let paris = try await TestStore.make("paris", headOffice: hq, url: url)
                let nice = try await TestStore.make("nice", headOffice: hq, url: URL(string: "http://127.0.0.1:9")!,
                                                    requestTimeout: .seconds(2))
                try await hq.setRedemptionAllowance(storeId: "nice", points: 200)
                try await paris.sync()
                #expect(try await paris.database.headOfficeStanding().redemptionAllowance == 0)
                await #expect(throws: (any Error).self) { try await nice.sync() }
                let standing = try await nice.database.headOfficeStanding()
                #expect(standing.lastAnsweredAt == nil)
                #expect(standing.redemptionAllowance == 0, "the allowance only arrives with head office's answer")
                let tom = try await nice.database.signUp(SignUpRequest(firstName: "Tom", email: "tom@example.com", language: "fr"))
                let refused = await #expect(throws: StoreError.self) {
                    try await nice.database.redeem(profileId: tom.profile.id, rewardId: "coffee", deviceId: "till")
                }
                #expect(refused?.message == "balance 50 < cost 100 of Free coffee")
                let unknown = await #expect(throws: HeadOfficeError.self) {
                    try await hq.setRedemptionAllowance(storeId: "nowhere", points: 10)
                }
                #expect(unknown?.code == .notFound)
                #expect(try await hq.count("SELECT count(*)::bigint FROM change WHERE kind = 'storeSettings'") == 1)
            }
        }
    }
}
