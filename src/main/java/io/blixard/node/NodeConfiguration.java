package io.blixard.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/** Opens the data directory and loads the node's identity before anything else needs them. */
@Configuration(proxyBeanMethods = false)
public class NodeConfiguration {

  private static final Logger log = LoggerFactory.getLogger(NodeConfiguration.class);

  @Bean
  DataDirectory dataDirectory(NodeProperties properties) {
    return DataDirectory.open(properties.dataDir());
  }

  @Bean
  NodeIdentity nodeIdentity(DataDirectory dataDirectory) {
    NodeIdentity identity = NodeIdentity.loadOrCreate(dataDirectory);
    log.info("Node id {} (data directory {})", identity.nodeId(), dataDirectory);
    return identity;
  }

  @EventListener
  void onWebServerReady(WebServerInitializedEvent event) {
    if (event.getApplicationContext().getServerNamespace() == null) {
      event
          .getApplicationContext()
          .getBean(NodeEndpoints.class)
          .publish(NodeEndpoints.Kind.HTTP, event.getWebServer().getPort());
    }
  }
}
