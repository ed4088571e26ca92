package io.blixard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The domain packages stay transport-agnostic, so that each transport is a plug-in. */
@AnalyzeClasses(packages = "io.blixard", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String[] DOMAIN = {
    "io.blixard.node..",
    "io.blixard.cluster..",
    "io.blixard.health..",
    "io.blixard.status..",
    "io.blixard.monitoring.."
  };

  @ArchTest
  static final ArchRule domainDoesNotDependOnTransports =
      noClasses()
          .that()
          .resideInAnyPackage(DOMAIN)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.blixard.transport..")
          .because("transports adapt the domain services, never the other way round");

  @ArchTest
  static final ArchRule domainDoesNotDependOnGrpcOrNetty =
      noClasses()
          .that()
          .resideInAnyPackage(DOMAIN)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.grpc..", "io.netty..")
          .because("gRPC and Netty belong to the transport packages");
}
