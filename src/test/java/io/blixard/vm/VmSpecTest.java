package io.blixard.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VmSpecTest {

  private static final Path KERNEL = Path.of("/guest/vmlinuz");

  @ParameterizedTest
  @ValueSource(strings = {"", "Demo", "-demo", "demo-", "de mo", "de/mo", "../x", "a,b", "dé"})
  void shouldRefuseInvalidNames(String name) {
    assertThatThrownBy(() -> VmSpec.ofKernel(name, 1, 128, KERNEL, null, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "name: \""
                + name
                + "\" (expected: 1 to 63 lowercase letters, digits and hyphens, starting and"
                + " ending with a letter or digit)");
  }

  @Test
  void shouldAcceptNamesOfLettersDigitsAndHyphens() {
    assertThat(VmSpec.ofKernel("web-1", 2, 256, KERNEL, null, " quiet ").kernelCommandLine())
        .isEqualTo("quiet");
    assertThat(VmSpec.ofKernel("a".repeat(63), 1, 16, KERNEL, null, null).name()).hasSize(63);
    assertThatThrownBy(() -> VmSpec.ofKernel("a".repeat(64), 1, 16, KERNEL, null, null))
        .hasMessageStartingWith("name: ");
  }

  @Test
  void shouldRefuseZeroMemoryAndZeroVcpus() {
    assertThatThrownBy(() -> VmSpec.ofKernel("demo", 1, 0, KERNEL, null, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("memoryMib: 0 (expected: 16 to 1048576 MiB)");
    assertThatThrownBy(() -> VmSpec.ofKernel("demo", 0, 128, KERNEL, null, ""))
        .hasMessage("vcpus: 0 (expected: 1 to 64)");
  }

  @Test
  void shouldNeedExactlyOneBootSource() {
    assertThatThrownBy(() -> new VmSpec("demo", 1, 128, null, null, "", null))
        .hasMessage(
            "boot source: none (expected: a kernel, with or without an initrd, or a disk image)");
    assertThatThrownBy(() -> new VmSpec("demo", 1, 128, KERNEL, null, "", Path.of("/d.img")))
        .hasMessageStartingWith("boot source: kernel /guest/vmlinuz and disk image /d.img");
    assertThatThrownBy(() -> new VmSpec("demo", 1, 128, null, Path.of("/i"), "", Path.of("/d")))
        .hasMessage("initrd: /i without a kernel (expected: an initrd only with a kernel)");
  }

  @Test
  void shouldRefuseAMultiLineCommandLine() {
    assertThatThrownBy(() -> VmSpec.ofKernel("demo", 1, 128, KERNEL, null, "quiet\ninit=/x"))
        .hasMessage("kernelCommandLine: contains control characters (expected: one line of text)");
  }
}
