import Logging
import Testing

@testable import tandem

@Suite struct StandardErrorLogHandlerTests {
    @Test func metadataIsRenderedInKeyOrderWithTheLinesOwnWinning() {
        var handler = StandardErrorLogHandler(label: "t", logLevel: .info)
        handler[metadataKey: "tandem.sender"] = "lab"
        handler[metadataKey: "tandem.correlation"] = "c-1"
        handler[metadataKey: "hb.request.id"] = "r-1"
        let event = LogEvent(
            level: .info,
            message: "request",
            metadata: ["tandem.status": "201", "tandem.sender": "override"],
            source: "Server",
            file: #fileID,
            function: #function,
            line: #line
        )
        #expect(
            StandardErrorLogHandler.render(handler.effectiveMetadata(event))
                == "hb.request.id=r-1 tandem.correlation=c-1 tandem.sender=override tandem.status=201"
        )
        #expect(StandardErrorLogHandler.render([:]) == nil)
    }
}
