import { BlockStack, Card, Layout, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

/** A page section: one card with a heading over its content. */
export function SectionCard({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <Layout.Section>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {children}
        </BlockStack>
      </Card>
    </Layout.Section>
  );
}
