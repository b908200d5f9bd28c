import Foundation
import SyncProtocol
import Testing

@Suite("Protocol version and change kinds")
struct ProtocolVersionContractTests {
    @Test("version 2 is current and head office still accepts version 1")
    func versions() {
        #expect(SyncProtocolVersion.current == 2 && SyncProtocolVersion.oldestAccepted == 1)
        #expect(SyncProtocolVersion.accepted == 1...2)
        #expect(SyncProtocolVersion.refusal(3) == "protocolVersion 3 is not supported: head office accepts 1 to 2")
        #expect(PushBatch(storeId: "paris-01", events: []).protocolVersion == 2)
    }

    @Test("version 1 knows the first contract's kinds; every later kind is whole-state")
    func kinds() {
        #expect(Change.Kind.known(atVersion: 1) == [.profile, .identifier, .ledgerEntry, .consent, .merge, .erasure, .rewardCatalog])
        #expect(Change.Kind.known(atVersion: 2) == Change.Kind.allCases)
        #expect(Change.Kind.newerKindsAreWholeState, "a store that skipped a newer kind is caught up by its latest change alone")
        #expect(Change.Kind.allCases.allSatisfy { SyncProtocolVersion.accepted.contains($0.introducedIn) })
    }

    @Test("an acknowledgement without highestReceived, as head office before version 2 sends it, still decodes")
    func acknowledgementCompatibility() throws {
        let old = Data(#"{"acknowledgedSequence":7,"accepted":0,"duplicates":0,"gaps":[]}"#.utf8)
        let answer = try JSONDecoder().decode(PushAcknowledgement.self, from: old)
        #expect(answer.acknowledgedSequence == 7 && answer.highestReceived == nil)
        let new = try JSONEncoder().encode(PushAcknowledgement(acknowledgedSequence: 7, accepted: 0, duplicates: 0, gaps: [], highestReceived: 9))
        #expect(try JSONDecoder().decode(PushAcknowledgement.self, from: new).highestReceived == 9)
    }
}
