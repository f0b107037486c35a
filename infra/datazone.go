package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdatazone"
	"github.com/aws/jsii-runtime-go"
)

// contributor is the designation the DataZone role gets in each project: enough to create data
// sources, publish, and request and accept subscriptions, without owning the project.
const contributor = "PROJECT_CONTRIBUTOR"

// projectMemberships makes the DataZone role a contributor of the producer and consumer
// projects, with its ARN as the member's user identifier (no user profile is needed).
// DataZone checks membership on top of IAM, so without it every call is denied.
func (b *stackBuilder) projectMemberships() {
	role := b.roles[dataZoneRole]
	projects := b.cfg.projectIDs()
	switch {
	case role == nil:
		return
	case b.cfg.DomainID == "" && len(projects) > 0:
		addError(b.stack, "infra: context "+CtxProducerProjectID+"/"+CtxConsumerProjectIDs+" needs "+CtxDomainID)
		return
	case b.cfg.DomainID == "":
		addWarning(b.stack, "noDomain", "context "+CtxDomainID+" is not set: the DataZone role may act in any domain and is a member of no project; add it as a PROJECT_CONTRIBUTOR of each project by hand (README: One-time admin steps)")
		return
	case b.cfg.ProducerProjectID == "":
		addWarning(b.stack, "noProducer", "context "+CtxProducerProjectID+" is not set: add the DataZone role to the producer project as a PROJECT_CONTRIBUTOR by hand (README: One-time admin steps)")
	}
	for _, project := range projects {
		awsdatazone.NewCfnProjectMembership(b.stack, jsii.String("Membership-"+project), &awsdatazone.CfnProjectMembershipProps{
			DomainIdentifier:  jsii.String(b.cfg.DomainID),
			ProjectIdentifier: jsii.String(project),
			Designation:       jsii.String(contributor),
			Member: &awsdatazone.CfnProjectMembership_MemberProperty{
				UserIdentifier: role.RoleArn(),
			},
		})
	}
}
