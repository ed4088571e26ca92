package io.blixard;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layout is the architecture: domain packages know nothing of transports, each transport is a
 * plug-in the others never see, and no two packages depend on each other.
 */
@AnalyzeClasses(packages = "io.blixard", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String[] DOMAIN = {
    "io.blixard.node..",
    "io.blixard.cluster..",
    "io.blixard.health..",
    "io.blixard.status..",
    "io.blixard.monitoring..",
    "io.blixard.vm.."
  };

  @ArchTest
  static final ArchRule noPackageCycles =
      slices()
          .matching("io.blixard.(**)")
          .should()
          .beFreeOfCycles()
          .because("a package that depends on another must not be needed by it");

  @ArchTest
  static final ArchRule domainDoesNotDependOnTransports =
      noClasses()
          .that()
          .resideInAnyPackage(DOMAIN)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.blixard.transport..",
              "io.blixard.rpc..",
              "io.blixard.api..",
              "io.blixard.migration..",
              "io.blixard.peers..",
              "io.blixard.client..",
              "io.blixard.cli..")
          .because("transports and adapters use the domain services, never the other way round");

  @ArchTest
  static final ArchRule domainDoesNotDependOnGrpcOrNetty =
      noClasses()
          .that()
          .resideInAnyPackage(DOMAIN)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.grpc..", "io.netty..")
          .because("gRPC and Netty belong to the transport packages");

  @ArchTest
  static final ArchRule domainDoesNotUseGeneratedMessagesButTheRegistrysStorageFormat =
      noClasses()
          .that()
          .resideInAnyPackage(DOMAIN)
          .should()
          .dependOnClassesThat(
              resideInAPackage("io.blixard.proto..")
                  .and(resideOutsideOfPackage("io.blixard.proto.cluster.v1..")))
          .because(
              "the wire messages belong to the adapters; only the registry's storage format (the"
                  + " Raft log and snapshots) is written with them");

  @ArchTest
  static final ArchRule onlyTheRaftEngineAndItsQuicPlugInUseRatis =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.blixard.cluster.raft..", "io.blixard.transport.quic.raft..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.apache.ratis..")
          .because(
              "the rest of the node reads the cluster through ClusterView, never Ratis; the QUIC"
                  + " transport's Raft plug-in meets the engine through Ratis's RPC interfaces");

  @ArchTest
  static final ArchRule theClusterIsReadThroughItsView =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.blixard.cluster..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.blixard.cluster.raft..",
              "io.blixard.cluster.registry..",
              "io.blixard.cluster.membership..")
          .because(
              "health, status, monitoring, peers and the adapters depend on the cluster package's"
                  + " interfaces, so they are tested with a fake view and the engine can change");

  @ArchTest
  static final ArchRule membershipRulesDoNotSeeTheRaftEngine =
      noClasses()
          .that()
          .resideInAPackage("io.blixard.cluster.membership..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.blixard.cluster.raft..")
          .because(
              "membership goes through ClusterView and GroupAdmin, so it is tested without Raft");

  @ArchTest
  static final ArchRule grpcTransportDoesNotSeeQuic =
      noClasses()
          .that()
          .resideInAPackage("io.blixard.transport.grpc..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.blixard.transport.quic..")
          .because("each transport is a plug-in of its own");

  @ArchTest
  static final ArchRule quicTransportDoesNotSeeGrpc =
      noClasses()
          .that()
          .resideInAPackage("io.blixard.transport.quic..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.blixard.transport.grpc..")
          .because("each transport is a plug-in of its own");

  @ArchTest
  static final ArchRule transportBoundaryKnowsNoPlugIn =
      noClasses()
          .that()
          .resideInAPackage("io.blixard.transport")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.blixard.transport.grpc..",
              "io.blixard.transport.quic..",
              "io.blixard.migration..",
              "io.blixard.rpc..")
          .because("the transport boundary names the transports; the plug-ins depend on it");

  @ArchTest
  static final ArchRule onlyTheGrpcChannelFactoryBuildsGrpcChannels =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.blixard.transport.grpc..")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("io.grpc.ManagedChannelBuilder")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder")
          .because(
              "clients get their gRPC channels from GrpcChannelFactory, which honours TLS and"
                  + " node-id pinning; a channel built elsewhere would be plaintext by accident");
}
