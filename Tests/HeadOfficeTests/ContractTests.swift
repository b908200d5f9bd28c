import HeadOffice
import StoreCore
import Testing

@Suite("The store ↔ head-office contract")
struct ContractTests {
    @Test("head office knows every event type a store writes to its outbox")
    func eventTypes() {
        let known = Set(StoreEventType.allCases.map(\.rawValue))
        let written = Set(OutboxEventType.allCases.map(\.rawValue))
        #expect(written.subtracting(known).isEmpty, "a store would send types head office refuses: \(written.subtracting(known).sorted())")
        #expect(known == written, "head office expects types no store writes: \(known.subtracting(written).sorted())")
    }
}
