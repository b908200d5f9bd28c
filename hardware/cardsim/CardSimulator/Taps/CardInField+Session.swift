import Synchronization

/// The vpcd session loop, run on the card's dedicated thread.
extension CardInField {
    /// How long the rest of a frame may take once it started: vpcd sends a frame at once.
    private static let frameTimeout: Duration = .seconds(5)

    func runSession() {
        let reason = answerUntilRemoved()
        socket.close()
        let report: TapReport = log.withLock { log in
            let report = TapReport(
                reader: reader, connectedAt: connectedAt, removedAt: .now, removalReason: reason,
                exchanges: log.exchanges, controlEvents: log.controlEvents)
            log.report = report
            return report
        }
        observer?(.removed(report))
        let waiters: [CheckedContinuation<TapReport, Never>] = log.withLock { log in
            defer { log.waiters = [] }
            return log.waiters
        }
        for waiter in waiters { waiter.resume(returning: report) }
    }

    private func answerUntilRemoved() -> RemovalReason {
        var commandCount = 0
        var lastCommandAt: ContinuousClock.Instant?
        do throws(CardSimulatorError) {
            while true {
                if isRemovalRequested { return .requested }
                let (deadline, reasonAtDeadline) = nextDeadline(lastCommandAt: lastCommandAt)
                guard try socket.waitReadable(until: deadline) else { return reasonAtDeadline }
                guard let body = try socket.readFrame(timeout: Self.frameTimeout) else {
                    return isRemovalRequested ? .requested : .readerClosedConnection
                }
                let receivedAt = ContinuousClock.now
                switch VPCDMessage(body: body) {
                case nil:
                    continue
                case .control(let control)?:
                    record(ControlEvent(receivedAt: receivedAt, control: control))
                    switch control {
                    case .getATR: try socket.writeFrame(card.atr)
                    case .powerOn, .reset: card.powerOn()
                    case .powerOff: card.powerOff()
                    case .unknown: break
                    }
                case .command(let command)?:
                    commandCount += 1
                    lastCommandAt = receivedAt
                    if case .duringCommand(let number, _) = removal, commandCount == number {
                        record(APDUExchange(number: commandCount, receivedAt: receivedAt, command: command, response: nil))
                        return .pulledDuringCommand
                    }
                    let response = card.respond(to: command)
                    try socket.writeFrame(response)
                    record(APDUExchange(number: commandCount, receivedAt: receivedAt, command: command, response: response))
                    if case .afterAnswering(let commands, _) = removal, commandCount >= commands {
                        return .answeredCommandLimit
                    }
                }
            }
        } catch {
            // A shutdown from remove() can surface as a failed read or write: that is a removal.
            return isRemovalRequested ? .requested : .connectionFailed(error.message)
        }
    }

    /// When the policy removes the card if nothing else happens first, and why.
    private func nextDeadline(lastCommandAt: ContinuousClock.Instant?) -> (ContinuousClock.Instant?, RemovalReason) {
        switch removal {
        case .onRequest:
            return (nil, .requested)
        case .afterDwell(let dwell):
            return (connectedAt + dwell, .dwellElapsed)
        case .afterAnswering(_, let maximumDwell), .duringCommand(_, let maximumDwell):
            return (connectedAt + maximumDwell, .maximumDwellElapsed)
        case .whenIdle(let idle, let maximumDwell):
            let maximum = connectedAt + maximumDwell
            guard let lastCommandAt, lastCommandAt + idle < maximum else { return (maximum, .maximumDwellElapsed) }
            return (lastCommandAt + idle, .idle)
        }
    }

    private var isRemovalRequested: Bool { log.withLock { $0.removalRequested } }

    private func record(_ event: ControlEvent) {
        log.withLock { $0.controlEvents.append(event) }
        observer?(.control(event))
    }

    private func record(_ exchange: APDUExchange) {
        log.withLock { $0.exchanges.append(exchange) }
        observer?(.exchange(exchange))
    }
}
