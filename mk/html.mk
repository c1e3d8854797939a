# The report page (harness/matrix/page.c) embeds harness/matrix/page/* with .incbin, which the
# compiler's -MMD does not see: name them here so an edit of the page rebuilds it.
PAGE_SRC := $(wildcard harness/matrix/page/*)
$(BUILD)/obj/harness/matrix/page.o $(BUILD)/san/harness/matrix/page.o \
	$(BUILD)/fuzz/obj/harness/matrix/page.o: $(PAGE_SRC)
