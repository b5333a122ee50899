import CNI

// vnet: the CNI network plugin. The protocol lives in CNI, the networking in VNetOperations.
CNIMain.run(VNetPlugin())
