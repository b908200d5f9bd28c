import CardSimulator
import Testing

@Suite("Virtual readers of the rig")
struct VirtualReaderTests {
    @Test(arguments: [
        (0, UInt16(35963), "Parcours Virtual A 00 00"),
        (1, UInt16(35964), "Parcours Virtual A 00 01"),
        (2, UInt16(35965), "Parcours Virtual B 00 00"),
        (3, UInt16(35966), "Parcours Virtual B 00 01"),
        (5, UInt16(35968), "Parcours Virtual C 00 01"),
    ])
    func rigIndices(_ index: Int, port: UInt16, name: String) throws {
        let reader = try VirtualReader.index(index)
        #expect(reader.port == port)
        #expect(reader.index == index)
        #expect(reader.pcscName == name)
    }

    @Test(arguments: [-1, 6, 100])
    func indicesOutsideTheRigAreRefused(_ index: Int) {
        #expect(throws: CardSimulatorError(.readerIndexOutOfRange, "")) { try VirtualReader.index(index) }
    }

    @Test func aTestPortIsNotARigReader() {
        let reader = VirtualReader(port: 40_000)
        #expect(reader.index == nil)
        #expect(reader.pcscName == nil)
        #expect(reader.description == "127.0.0.1:40000")
    }
}
