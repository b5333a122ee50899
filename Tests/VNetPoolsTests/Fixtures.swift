/// Documents in the shapes the Azure endpoints return, for the parsers and the test server.
enum Fixtures {
    /// Two NICs; the primary one (002248263DBD) has the node address 10.240.0.4 and four secondaries.
    static let wireserver = """
    <?xml version="1.0" encoding="utf-8"?>
    <Interfaces>
      <Interface MacAddress="002248263DBD" IsPrimary="true">
        <IPSubnet Prefix="10.240.0.0/16">
          <IPAddress Address="10.240.0.4" IsPrimary="true"/>
          <IPAddress Address="10.240.0.5" IsPrimary="false"/>
          <IPAddress Address="10.240.0.6" IsPrimary="false"/>
          <IPAddress Address="10.240.0.7" IsPrimary="false"/>
          <IPAddress Address="10.240.0.8" IsPrimary="false"/>
        </IPSubnet>
      </Interface>
      <Interface MacAddress="00224826AAAA" IsPrimary="false">
        <IPSubnet Prefix="10.241.0.0/24">
          <IPAddress Address="10.241.0.4" IsPrimary="true"/>
          <IPAddress Address="10.241.0.9" IsPrimary="false"/>
        </IPSubnet>
      </Interface>
    </Interfaces>
    """

    static let imds = """
    {"interface": [
      {"ipv4": {"ipAddress": [{"privateIpAddress": "10.240.0.4", "publicIpAddress": "20.1.2.3"},
                              {"privateIpAddress": "10.240.0.5", "publicIpAddress": ""},
                              {"privateIpAddress": "10.240.0.6", "publicIpAddress": ""}],
                "subnet": [{"address": "10.240.0.0", "prefix": "16"}]},
       "ipv6": {"ipAddress": []},
       "macAddress": "000D3AF806EC"},
      {"ipv4": {"ipAddress": [{"privateIpAddress": "10.241.0.4", "publicIpAddress": ""},
                              {"privateIpAddress": "10.241.0.10", "publicIpAddress": ""}],
                "subnet": [{"address": "10.241.0.0", "prefix": "24"}]},
       "ipv6": {"ipAddress": []},
       "macAddress": "000D3AF80BBB"}
    ]}
    """
}
