import Foundation
import Testing
import VNetModel

@Suite struct BlockCarverTests {
    func carver(_ subnet: String = "10.240.0.0/16", blockLength: Int = 28, exclude: [String] = ["10.240.0.0/24"],
                primaries: [String] = []) -> BlockCarver {
        BlockCarver(subnet: IPv4Prefix(subnet)!, gateway: IPv4Prefix(subnet)!.firstHost, blockLength: blockLength,
                    exclude: exclude.compactMap(AddressRange.init), primaries: primaries.compactMap(IPv4Address.init))
    }

    @Test func blocksAreAlignedAndCoverTheSubnet() {
        let c = carver()
        #expect(c.blockCount == 4096)
        #expect(c.block(0).description == "10.240.0.0/28")
        #expect(c.block(4095).description == "10.240.255.240/28")
        #expect(c.block(of: IPv4Address("10.240.1.37")!)?.description == "10.240.1.32/28")
        #expect(c.block(of: IPv4Address("10.9.0.1")!) == nil)
    }

    @Test func excludedGatewayNetworkBroadcastAndPrimariesAreNeverUsable() {
        let c = carver(exclude: ["10.240.0.0/24", "10.240.1.20-10.240.1.21"], primaries: ["10.240.1.40"])
        #expect(c.usable(IPv4Prefix("10.240.0.16/28")!).isEmpty)
        #expect(c.usable(IPv4Prefix("10.240.1.16/28")!).map(\.description) == ["10.240.1.16-10.240.1.19", "10.240.1.22-10.240.1.31"])
        #expect(c.usable(IPv4Prefix("10.240.1.32/28")!).map(\.description) == ["10.240.1.32-10.240.1.39", "10.240.1.41-10.240.1.47"])
        #expect(c.usable(IPv4Prefix("10.240.255.240/28")!).map(\.description) == ["10.240.255.240-10.240.255.254"])
        let small = carver("10.241.0.0/27", blockLength: 29, exclude: [])
        #expect(small.usable(IPv4Prefix("10.241.0.0/29")!).map(\.description) == ["10.241.0.2-10.241.0.7"])
    }

    @Test func aPartialBlockHoldsOnlyWhatTheVNetHasLeft() {
        let c = carver(exclude: ["10.240.0.0/24", "10.240.1.3"])
        let partial = c.usable(IPv4Prefix("10.240.1.0/28")!, limit: 5)
        #expect(partial.map(\.description) == ["10.240.1.0-10.240.1.2", "10.240.1.4-10.240.1.5"])
    }

    @Test func nextFreeSkipsTakenAndEmptyBlocksAndWraps() {
        let c = carver()
        let taken = [IPv4Prefix("10.240.1.0/28")!]
        #expect(c.nextFree(taken: taken, limit: 16)?.block.description == "10.240.1.16/28")  // 10.240.0.x is excluded
        #expect(c.nextFree(taken: [], limit: 16, start: 4095)?.block.description == "10.240.255.240/28")
        #expect(c.nextFree(taken: [], limit: 0) == nil)
        // A larger block held by a node with another block size covers every block inside it.
        #expect(c.nextFree(taken: [IPv4Prefix("10.240.1.0/26")!], limit: 16)?.block.description == "10.240.1.64/28")
        #expect(c.nextFree(taken: [IPv4Prefix("10.240.1.0/26")!, IPv4Prefix("10.240.1.72/29")!], limit: 16)?.block.description == "10.240.1.80/28")
        let tiny = carver("10.241.0.0/30", blockLength: 30, exclude: ["10.241.0.2"])
        #expect(tiny.nextFree(taken: [], limit: 4) == nil)  // network, gateway, excluded, broadcast
    }

    @Test func aBlockRecordRoundTripsAndSaysWhetherItMayBeClaimed() {
        let now = Date(timeIntervalSince1970: 1_000)
        var block = AddressBlock(prefix: IPv4Prefix("10.240.1.16/28")!, state: .claimed, node: "na",
                                 addresses: [AddressRange("10.240.1.16-10.240.1.31")!], claimedAt: now)
        #expect(AddressBlock(json: block.json) == block)
        #expect(block.usable == 16 && block.isTaken(at: now))
        block.state = .cooling
        block.until = now.addingTimeInterval(30)
        #expect(AddressBlock(json: block.json) == block)
        #expect(block.usable == 0 && block.isTaken(at: now) && !block.isTaken(at: now.addingTimeInterval(31)))
        #expect(AddressBlock(json: .object(["block": .string("nonsense")])) == nil)
        #expect(RegistryKeys(vnet: "prod").block(block.prefix) == "/vnet/v1/prod/blocks/10.240.1.16_28")
    }
}
