import CardProtocols
import Testing

/// A scripted card: answers the given responses in order and records what it was sent.
actor ScriptedCard {
    private var responses: [ResponseAPDU]
    private(set) var sent: [CommandAPDU] = []

    init(_ responses: [String]) {
        self.responses = responses.map { (try? ResponseAPDU(parsing: hex($0))) ?? ResponseAPDU(status: .noPreciseDiagnosis) }
    }

    func transmit(_ command: CommandAPDU) throws -> ResponseAPDU {
        sent.append(command)
        guard !responses.isEmpty else { throw CardProtocolError.malformed("script exhausted") }
        return responses.removeFirst()
    }
}

/// A card that answers `61 10` forever.
actor LoopingCard {
    private(set) var count = 0
    func transmit(_ command: CommandAPDU) -> ResponseAPDU {
        count += 1
        return ResponseAPDU(data: [UInt8](repeating: 0xEE, count: 16), status: StatusWord(rawValue: 0x6110))
    }
}

@Suite struct APDUExchangeTests {
    let select = try! CommandAPDU.select(aid: hex("A0000000041010"))

    @Test func plainSuccessIsReturnedAsIs() async throws {
        let card = ScriptedCard(["6F 00 9000"])
        let response = try await APDUExchange.run(select) { try await card.transmit($0) }
        #expect(response == ResponseAPDU(data: [0x6F, 0x00], status: .success))
        #expect(await card.sent == [select])
    }

    @Test func getResponseChainIsConcatenated() async throws {
        let card = ScriptedCard(["0102 6104", "03040506 6102", "0708 9000"])
        let response = try await APDUExchange.run(select) { try await card.transmit($0) }
        #expect(response.data == hex("0102030405060708"))
        #expect(response.status == .success)
        #expect(await card.sent.dropFirst().map { $0.serialized() } == [hex("00 C0 00 00 04"), hex("00 C0 00 00 02")])
    }

    @Test func wrongLeIsRetriedOnce() async throws {
        let card = ScriptedCard(["6C 0F", "000102030405060708090A0B0C0D0E 9000"])
        let command = try CommandAPDU.readBinary(offset: 0, length: 256)
        let response = try await APDUExchange.run(command) { try await card.transmit($0) }
        #expect(response.data.count == 15)
        #expect(await card.sent.last?.serialized() == hex("00 B0 00 00 0F"))
    }

    @Test func secondWrongLeIsAnError() async {
        let card = ScriptedCard(["6C 0F", "6C 0E"])
        await #expect(throws: CardProtocolError.unexpectedStatus) {
            try await APDUExchange.run(select) { try await card.transmit($0) }
        }
    }

    @Test func endlessGetResponseIsBounded() async {
        let card = LoopingCard()
        await #expect(throws: CardProtocolError.limitExceeded) {
            try await APDUExchange.run(select, maximumGetResponses: 8) { await card.transmit($0) }
        }
        #expect(await card.count == 9)
    }

    @Test func responseSizeIsBounded() async {
        let card = LoopingCard()
        await #expect(throws: CardProtocolError.limitExceeded) {
            try await APDUExchange.run(select, maximumResponseBytes: 40) { await card.transmit($0) }
        }
        #expect(await card.count == 3)
    }
}
